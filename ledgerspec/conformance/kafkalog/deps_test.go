package kafkalog_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestContractPackagesHaveNoDependencies keeps the contract free of any broker client (and of
// anything else): ledgerspec and ledgerspec/conformance may import the standard library, each
// other and golang.org/x/net only. franz-go is for this package and cmd/conform.
func TestContractPackagesHaveNoDependencies(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("this test runs `go list` and needs the go command on PATH: %v", err)
	}
	for _, pkg := range []string{"stacklab/ledgerspec", "stacklab/ledgerspec/conformance"} {
		t.Run(pkg, func(t *testing.T) {
			cmd := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr.String())
			}
			deps := strings.Fields(string(out))
			if len(deps) == 0 {
				t.Fatalf("go list -deps %s listed nothing, not even the package itself", pkg)
			}
			for _, dep := range deps {
				if !allowed(dep) {
					t.Errorf("%s depends on %s; the contract packages may use only the standard library and golang.org/x/net", pkg, dep)
				}
			}
		})
	}
}

func allowed(path string) bool {
	switch {
	case path == "stacklab/ledgerspec", path == "stacklab/ledgerspec/conformance":
		return true
	case path == "golang.org/x/net" || strings.HasPrefix(path, "golang.org/x/net/"):
		return true
	}
	return false
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"stacklab/ledgerspec", true},
		{"stacklab/ledgerspec/conformance", true},
		{"golang.org/x/net/html", true},
		{"golang.org/x/net/html/atom", true},
		{"golang.org/x/netx", false},
		{"stacklab/ledgerspec/conformance/kafkalog", false},
		{"github.com/twmb/franz-go/pkg/kgo", false},
		{"golang.org/x/text/encoding", false},
	}
	for _, tc := range tests {
		if got := allowed(tc.path); got != tc.want {
			t.Errorf("allowed(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}
