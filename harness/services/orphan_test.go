package services_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"stacklab/harness/proc"
	"stacklab/harness/services"
)

// helperEnv makes the test binary act as a lab that starts embedded services and waits to be
// killed.
const helperEnv = "STACKLAB_SERVICES_HELPER"

type helperReport struct {
	PIDs []int
	Dirs []string
}

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(helper())
	}
	os.Exit(m.Run())
}

func helper() int {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := services.Start(ctx, services.Config{ForceEmbedded: true, ClickHouse: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tree, err := proc.Tree(s.Postgres.PIDs[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pids := append(append(tree, s.Redis.PIDs...), s.ClickHouse.PIDs...)
	rep := helperReport{PIDs: pids, Dirs: []string{s.Postgres.Dir, s.Redis.Dir, s.ClickHouse.Dir}}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		return 1
	}
	time.Sleep(time.Minute) // killed before this ends
	return 0
}

// A lab killed with SIGKILL (no Close) takes its servers with it, ClickHouse included (which
// needs clickhouse-server installed, as make test does).
func TestServersDieWithTheLab(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan []byte, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Bytes()
		}
		close(lines)
	}()
	var rep helperReport
	select {
	case line, ok := <-lines:
		if !ok {
			t.Fatal("the helper lab exited without reporting its servers")
		}
		if err := json.Unmarshal(line, &rep); err != nil {
			t.Fatalf("helper report %q: %v", line, err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the helper lab did not start its servers within 60 s")
	}
	defer func() {
		for _, d := range rep.Dirs { // a killed lab cannot clean up its folders
			os.RemoveAll(d)
		}
	}()
	for _, pid := range rep.PIDs {
		if !live(pid) {
			t.Fatalf("server pid %d not running before the kill", pid)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range rep.PIDs {
		for live(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("server pid %d (%s) outlived the lab by 10 s", pid, comm(pid))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
