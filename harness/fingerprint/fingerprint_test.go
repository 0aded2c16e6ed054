package fingerprint_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"stacklab/harness/fingerprint"
)

func TestMachine(t *testing.T) {
	env := fingerprint.Machine(context.Background(), "../..")
	if env.CPUModel == "" || env.Cores != runtime.NumCPU() || env.MemoryMiB <= 0 || env.Kernel == "" ||
		env.OS == "" || env.GoVersion != runtime.Version() || env.Hostname == "" {
		t.Errorf("Machine = %+v", env)
	}
	if len(env.GitCommit) != 40 {
		t.Errorf("git commit %q, want a full hash", env.GitCommit)
	}
	if bare := fingerprint.Machine(context.Background(), t.TempDir()); bare.GitCommit != "" || bare.GitDirty {
		t.Errorf("a folder outside git: commit %q dirty %v", bare.GitCommit, bare.GitDirty)
	}
}

func TestReadBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "stack")
	// The default build configuration, so the build cache serves it.
	build := exec.Command("go", "build", "-ldflags=-checklinkname=0", "-o", bin, "stacklab/stacks/cmd/stack")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the stack: %v\n%s", err, out)
	}
	b, err := fingerprint.ReadBinary(bin)
	if err != nil {
		t.Fatal(err)
	}
	goamd64, err := exec.Command("go", "env", "GOAMD64").Output()
	if err != nil {
		t.Fatal(err)
	}
	if b.GoVersion != runtime.Version() || b.GOAMD64 != strings.TrimSpace(string(goamd64)) {
		t.Errorf("go %q GOAMD64 %q, want %s and %s", b.GoVersion, b.GOAMD64, runtime.Version(), goamd64)
	}
	for mod, want := range map[string]string{
		"github.com/jackc/pgx/v5": "v5.12.0", "github.com/bytedance/sonic": "v1.15.5",
		"github.com/redis/go-redis/v9": "v9.23.0", "github.com/twmb/franz-go": "v1.22.3",
	} {
		if got := b.Modules[mod]; got != want {
			t.Errorf("module %s = %q, want %q", mod, got, want)
		}
	}
	if _, err := fingerprint.ReadBinary(filepath.Join(t.TempDir(), "absent")); err == nil || !strings.Contains(err.Error(), "build info") {
		t.Errorf("an absent binary: %v", err)
	}
}
