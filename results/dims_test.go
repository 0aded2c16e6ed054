package results_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"stacklab/results"
)

func TestParseDims(t *testing.T) {
	for _, name := range []string{
		"http=nethttp/store=sqlc/json=std/redis=goredis",
		"redis=rueidis/json=sonic/http=fiber/store=pgx",                       // any order: the name's
		"http=nethttp/store=sqlc/json=std/redis=goredis/events=franz/log=zap", // any number of dimensions
		"only=one",
	} {
		d, err := results.ParseDims(name)
		if err != nil {
			t.Errorf("ParseDims(%q): %v", name, err)
			continue
		}
		if d.String() != name {
			t.Errorf("ParseDims(%q).String() = %q", name, d.String())
		}
		var keys []string
		for kv := range strings.SplitSeq(name, "/") {
			k, v, _ := strings.Cut(kv, "=")
			keys = append(keys, k)
			if d.Get(k) != v || !d.Has(k) {
				t.Errorf("%q: Get(%q) = %q, want %q", name, k, d.Get(k), v)
			}
		}
		if !slices.Equal(d.Keys(), keys) {
			t.Errorf("%q: Keys() = %v, want %v", name, d.Keys(), keys)
		}
		if d.Get("nosuch") != "" || d.Has("nosuch") {
			t.Errorf("%q: a dimension it does not have has a part", name)
		}
	}
	for _, bad := range []string{"", "http", "http=", "=nethttp", "http=a/http=b", "http=a//store=b", "http=a/"} {
		if d, err := results.ParseDims(bad); err == nil {
			t.Errorf("ParseDims(%q) = %v, want an error", bad, d)
		}
	}
}

func TestDimsJSON(t *testing.T) {
	// The form of schema version 1 reads, and writes back byte for byte, keys in their order.
	v1 := `{"http":"nethttp","store":"sqlc","json":"std","redis":"goredis"}`
	var d results.Dims
	if err := json.Unmarshal([]byte(v1), &d); err != nil {
		t.Fatal(err)
	}
	if d.String() != "http=nethttp/store=sqlc/json=std/redis=goredis" {
		t.Errorf("read %v", d)
	}
	for _, in := range []string{v1, `{"z":"1","a":"2","m":"3","b":"4","x":"5"}`, `{"http":"","store":""}`, `{}`} {
		var d results.Dims
		if err := json.Unmarshal([]byte(in), &d); err != nil {
			t.Errorf("Unmarshal(%s): %v", in, err)
			continue
		}
		out, err := json.Marshal(d)
		if err != nil || string(out) != in {
			t.Errorf("%s came back as %s, %v", in, out, err)
		}
	}
	// Inside a record, with other fields around, and keys needing escapes.
	rec := results.Record{Stack: "a=1", Dims: results.Dims{{Key: `q"k`, Part: "p\\/"}, {Key: "b", Part: "ü"}}}
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var back results.Record
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Dims, rec.Dims) {
		t.Errorf("dims came back as %v, want %v", back.Dims, rec.Dims)
	}
	if out, _ := json.Marshal(results.Dims(nil)); string(out) != "{}" {
		t.Errorf("no dimensions marshal as %s, want {}", out)
	}
	if err := json.Unmarshal([]byte(`null`), &d); err != nil || d != nil {
		t.Errorf("null: %v, %v", d, err)
	}
	for _, bad := range []string{`{"a":"1","a":"2"}`, `["a","b"]`, `{"a":1}`, `"a=1"`} {
		var d results.Dims
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", bad, d)
		}
	}
}

func TestRunDimensions(t *testing.T) {
	run := results.NewRun("r", time.Now())
	for _, name := range []string{"http=a/store=b", "http=c/store=d/json=e", "store=f/http=g/redis=h"} {
		run.Stacks = append(run.Stacks, results.StackInfo{Name: name, Dims: results.MustParseDims(name)})
	}
	if got, want := run.Dimensions(), []string{"http", "store", "json", "redis"}; !slices.Equal(got, want) {
		t.Errorf("Dimensions() = %v, want %v", got, want)
	}
	if got := results.NewRun("empty", time.Now()).Dimensions(); len(got) != 0 {
		t.Errorf("a run without stacks has dimensions %v", got)
	}
}
