package report

// Ranks ranks n items by a "significantly better" relation: better(i, j) reports whether item i
// is significantly better than item j (see the package comment for what counts). The rule:
//
//	rank(i) = 1 + the number of items significantly better than i,
//
// where "significantly better" is taken transitively: when a is better than b and b better than
// c, a counts as better than c even if their own test was inconclusive. So
//
//   - items that nothing beats share rank 1; ties share a rank, and the ranks that follow are not
//     skipped for them (two items tied at 1, one item beating neither of them but beaten by
//     another item, gets 2);
//   - an item better than another always has the lower rank (its betters are a subset of the
//     other's, plus itself);
//   - equal is not transitive, so two items that are not told apart can still get different
//     ranks: with a ≈ b, b ≈ c and a better than c, a and b share rank 1 and c gets 2. Such
//     items are still shown as tied with each other (TiedWith), but not given one rank.
//
// The relation must be a strict order on the items it relates (never both better(i, j) and
// better(j, i)); the lab's relation is, because "better" follows the medians.
func Ranks(n int, better func(i, j int) bool) []int {
	// closure[i][j]: i is better than j, directly or through a chain.
	closure := make([][]bool, n)
	for i := range closure {
		closure[i] = make([]bool, n)
		for j := range n {
			closure[i][j] = i != j && better(i, j)
		}
	}
	for k := range n { // Floyd–Warshall on booleans
		for i := range n {
			if !closure[i][k] {
				continue
			}
			for j := range n {
				if closure[k][j] {
					closure[i][j] = true
				}
			}
		}
	}
	ranks := make([]int, n)
	for j := range n {
		ranks[j] = 1
		for i := range n {
			if closure[i][j] {
				ranks[j]++
			}
		}
	}
	return ranks
}
