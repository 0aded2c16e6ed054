package stacks_test

import (
	"flag"
	"io"
	"strings"
	"testing"

	"stacklab/stacks"
)

// withExtraParts adds placeholder parts to the registry for one test, so the matrix logic is tested
// on more parts than the lab has today. Their constructors are nil: they are never opened.
func withExtraParts(t *testing.T) {
	t.Helper()
	for _, name := range []string{"zz-t1", "zz-t2", "zz-t3", "zz-t4"} {
		stacks.Transports[name] = nil
	}
	stacks.Stores["zz-s1"] = nil
	stacks.Codecs["zz-j1"], stacks.Codecs["zz-j2"] = nil, nil
	stacks.Caches["zz-r1"], stacks.Caches["zz-r2"] = nil, nil
	t.Cleanup(func() {
		for _, name := range []string{"zz-t1", "zz-t2", "zz-t3", "zz-t4"} {
			delete(stacks.Transports, name)
		}
		delete(stacks.Stores, "zz-s1")
		delete(stacks.Codecs, "zz-j1")
		delete(stacks.Codecs, "zz-j2")
		delete(stacks.Caches, "zz-r1")
		delete(stacks.Caches, "zz-r2")
	})
}

// coveredPairs counts, for a set of stacks, the pairs of parts of two dimensions they hold.
func coveredPairs(specs []stacks.Spec) map[string]bool {
	covered := map[string]bool{}
	for _, s := range specs {
		for i, d := range stacks.Dimensions {
			for _, e := range stacks.Dimensions[i+1:] {
				covered[d.Key+"="+s.Get(d.Key)+" "+e.Key+"="+s.Get(e.Key)] = true
			}
		}
	}
	return covered
}

func TestCovering(t *testing.T) {
	for _, extra := range []bool{false, true} {
		t.Run(map[bool]string{false: "registry", true: "registry with extra parts"}[extra], func(t *testing.T) {
			if extra {
				withExtraParts(t)
			}
			all, cover := stacks.All(), stacks.Covering()
			want := coveredPairs(all)
			got := coveredPairs(cover)
			for p := range want {
				if !got[p] {
					t.Errorf("no covering stack holds %s", p)
				}
			}
			if cover[0] != stacks.Baseline() {
				t.Errorf("the covering set starts with %s, want the baseline %s", cover[0], stacks.Baseline())
			}
			seen := map[string]bool{}
			for _, s := range cover {
				if seen[s.Name()] {
					t.Errorf("%s appears twice", s)
				}
				seen[s.Name()] = true
			}
			// A covering set needs at least as many stacks as the two largest dimensions have
			// pairs; the greedy one should stay close to that bound, far below every combination.
			sizes := []int{}
			for _, d := range stacks.Dimensions {
				sizes = append(sizes, len(d.Parts()))
			}
			lower := maxProduct(sizes)
			if len(cover) < lower || len(cover) > lower+lower/2+1 {
				t.Errorf("%d covering stacks for dimensions of %v parts: want between %d and %d", len(cover), sizes, lower, lower+lower/2+1)
			}
			if again := stacks.Covering(); len(again) != len(cover) || again[len(again)-1] != cover[len(cover)-1] {
				t.Error("Covering is not deterministic")
			}
			t.Logf("%d covering stacks of %d combinations", len(cover), len(all))
		})
	}
}

// maxProduct is the largest product of two sizes.
func maxProduct(sizes []int) int {
	best := 1
	for i := range sizes {
		for j := i + 1; j < len(sizes); j++ {
			best = max(best, sizes[i]*sizes[j])
		}
	}
	return best
}

func TestVariants(t *testing.T) {
	withExtraParts(t)
	vs := stacks.Variants()
	base := stacks.Baseline()
	if vs[0] != base {
		t.Fatalf("first variant %s, want the baseline", vs[0])
	}
	want := 1
	for _, d := range stacks.Dimensions {
		want += len(d.Parts()) - 1
	}
	if len(vs) != want {
		t.Errorf("%d variants, want %d", len(vs), want)
	}
	for _, v := range vs[1:] {
		differ := 0
		for _, d := range stacks.Dimensions {
			if v.Get(d.Key) != base.Get(d.Key) {
				differ++
			}
		}
		if differ != 1 {
			t.Errorf("variant %s differs from the baseline in %d dimensions, want 1", v, differ)
		}
	}
}

func TestParseSpec(t *testing.T) {
	for _, s := range stacks.All() {
		got, err := stacks.ParseSpec(s.Name())
		if err != nil || got != s {
			t.Errorf("ParseSpec(%q) = %v, %v", s.Name(), got, err)
		}
	}
	base := stacks.Baseline()
	// Any order of dimensions is accepted.
	parts := strings.Split(base.Name(), "/")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	if got, err := stacks.ParseSpec(strings.Join(parts, "/")); err != nil || got != base {
		t.Errorf("reversed name: %v, %v", got, err)
	}
	for _, bad := range []string{
		"", "http=nethttp", base.Name() + "/http=nethttp", base.Name() + "/color=red",
		strings.Replace(base.Name(), "=", "", 1), base.With("json", "nope").Name(),
	} {
		if _, err := stacks.ParseSpec(bad); err == nil {
			t.Errorf("ParseSpec(%q) accepted", bad)
		}
	}
}

func TestSpecFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want stacks.Spec
		err  bool
	}{
		{nil, stacks.Baseline(), false},
		{[]string{"-stack", stacks.Baseline().Name()}, stacks.Baseline(), false},
		{[]string{"-json", "nope"}, stacks.Spec{}, true},
		{[]string{"-stack", "http=nethttp"}, stacks.Spec{}, true},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		spec := stacks.SpecFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		got, err := spec()
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("%v: %v, %v", tc.args, got, err)
		}
	}
}

func TestTouched(t *testing.T) {
	names := func(specs []stacks.Spec) []string {
		var out []string
		for _, s := range specs {
			out = append(out, s.Name())
		}
		return out
	}
	base := stacks.Baseline()
	for _, tc := range []struct {
		changed []string
		want    []stacks.Spec
	}{
		{nil, nil},
		{[]string{"README.md", "stacks/app/api.go", "results/record.go"}, nil},
		{[]string{"stacks/codec/sonic/sonic.go"}, []stacks.Spec{base.With("json", "sonic")}},
		{[]string{"stacks/cache/goredis/goredis.go"}, []stacks.Spec{base}},
		{[]string{"stacks/store/sqlc/post.go"}, []stacks.Spec{base, base.With("store", "sqlc-pipelined")}},
	} {
		got := names(stacks.Touched(tc.changed))
		if want := names(tc.want); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("Touched(%v) = %v, want %v", tc.changed, got, want)
		}
	}
	// Shared code of a dimension touches every part of it.
	http, _ := stacks.DimensionOf("http")
	if got := stacks.Touched([]string{"stacks/transport/transport.go"}); len(got) != len(http.Parts()) {
		t.Errorf("shared transport code touches %v, want every transport's variant", names(got))
	}
}
