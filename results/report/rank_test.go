package report_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"stacklab/results/report"
)

func TestRanks(t *testing.T) {
	// better as pairs "i>j".
	rel := func(pairs ...[2]int) func(i, j int) bool {
		return func(i, j int) bool { return slices.Contains(pairs, [2]int{i, j}) }
	}
	tests := []struct {
		name   string
		n      int
		better func(i, j int) bool
		want   []int
	}{
		{"all tied", 3, rel(), []int{1, 1, 1}},
		{"a total order", 3, rel([2]int{0, 1}, [2]int{1, 2}, [2]int{0, 2}), []int{1, 2, 3}},
		{"two tied on top, one below both", 3, rel([2]int{0, 2}, [2]int{1, 2}), []int{1, 1, 3}},
		{"one on top, two tied below", 3, rel([2]int{0, 1}, [2]int{0, 2}), []int{1, 2, 2}},
		// a ≈ b, b ≈ c, a > c: a and b share 1, c is 2 though not told apart from b.
		{"non-transitive tie", 3, rel([2]int{0, 2}), []int{1, 1, 2}},
		// a > b > c with a ≈ c in its own test: transitively a > c.
		{"transitive better", 3, rel([2]int{0, 1}, [2]int{1, 2}), []int{1, 2, 3}},
		{"none", 0, rel(), []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := report.Ranks(tt.n, tt.better); !slices.Equal(got, tt.want) {
				t.Errorf("Ranks = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRanksProperties checks the rule's promises on random strict orders drawn from values: an
// item better than another has a lower rank, and items nothing beats have rank 1.
func TestRanksProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n := 1 + rng.IntN(9)
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = rng.Float64()
		}
		// i better than j when clearly ahead, with some comparisons inconclusive at random.
		inconclusive := map[[2]int]bool{}
		better := func(i, j int) bool {
			return vals[i] > vals[j]+0.2 && !inconclusive[[2]int{i, j}]
		}
		for i := range n {
			for j := range n {
				inconclusive[[2]int{i, j}] = rng.IntN(4) == 0
			}
		}
		ranks := report.Ranks(n, better)
		for i := range n {
			beaten := false
			for j := range n {
				if better(i, j) && ranks[i] >= ranks[j] {
					t.Fatalf("trial %d: %d better than %d but ranks %d, %d (%v)", trial, i, j, ranks[i], ranks[j], vals)
				}
				beaten = beaten || better(j, i)
			}
			if !beaten && ranks[i] != 1 {
				t.Fatalf("trial %d: %d is beaten by none but has rank %d", trial, i, ranks[i])
			}
			if ranks[i] < 1 || ranks[i] > n {
				t.Fatalf("trial %d: rank %d out of 1..%d", trial, ranks[i], n)
			}
		}
	}
}

func ExampleRanks() {
	// Medians of four stacks; a, b tied (not significantly different), both better than c;
	// d not told apart from c.
	names := []string{"a", "b", "c", "d"}
	better := map[[2]string]bool{{"a", "c"}: true, {"b", "c"}: true, {"a", "d"}: true, {"b", "d"}: true}
	ranks := report.Ranks(len(names), func(i, j int) bool { return better[[2]string{names[i], names[j]}] })
	for i, n := range names {
		fmt.Println(n, ranks[i])
	}
	// Output:
	// a 1
	// b 1
	// c 3
	// d 3
}
