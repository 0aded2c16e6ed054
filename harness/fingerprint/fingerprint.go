package fingerprint

import (
	"bufio"
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"stacklab/results"
)

// Machine fills the machine and toolchain fields of an Env; repoDir is where git is asked for the
// commit ("" skips it).
func Machine(ctx context.Context, repoDir string) results.Env {
	env := results.Env{
		CPUModel:  cpuModel(),
		Cores:     runtime.NumCPU(),
		MemoryMiB: memTotalMiB(),
		Kernel:    readTrim("/proc/sys/kernel/osrelease"),
		OS:        osName(),
		GoVersion: runtime.Version(),
		Services:  map[string]string{},
		Tools:     map[string]string{},
	}
	env.Hostname, _ = os.Hostname()
	if repoDir != "" {
		env.GitCommit, env.GitDirty = gitState(ctx, repoDir)
	}
	return env
}

// Binary is what a built binary's build info says.
type Binary struct {
	GoVersion string
	GOAMD64   string
	// Modules maps each dependency's module path to its version (replaced modules show their
	// replacement, workspace modules "(devel)").
	Modules map[string]string
}

// ReadBinary reads a Go binary's build info.
func ReadBinary(path string) (Binary, error) {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return Binary{}, fmt.Errorf("reading the build info of %s: %w", path, err)
	}
	b := Binary{GoVersion: bi.GoVersion, Modules: map[string]string{bi.Main.Path: version(bi.Main.Version)}}
	for _, d := range bi.Deps {
		v := version(d.Version)
		if d.Replace != nil {
			v = version(d.Replace.Version)
			if d.Replace.Version == "" {
				v = "=> " + d.Replace.Path
			}
		}
		b.Modules[d.Path] = v
	}
	for _, s := range bi.Settings {
		if s.Key == "GOAMD64" {
			b.GOAMD64 = s.Value
		}
	}
	return b, nil
}

func version(v string) string {
	if v == "" {
		return "(devel)"
	}
	return v
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func memTotalMiB() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb >> 10
		}
	}
	return 0
}

func osName() string {
	f, err := os.Open("/etc/os-release")
	if err != nil {
		return runtime.GOOS
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return runtime.GOOS
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// gitState is the commit of repoDir's HEAD and whether tracked files differ from it.
func gitState(ctx context.Context, repoDir string) (commit string, dirty bool) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "-C", repoDir, "rev-parse", "HEAD").Output()
	if err != nil {
		return "", false
	}
	commit = strings.TrimSpace(string(out))
	st, err := exec.CommandContext(ctx, "git", "-C", repoDir, "status", "--porcelain", "--untracked-files=no").Output()
	return commit, err == nil && len(strings.TrimSpace(string(st))) > 0
}
