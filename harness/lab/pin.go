package lab

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"stacklab/harness/proc"
)

// pinning is where a run puts the system under test and the load generator.
type pinning struct {
	sut, gen proc.CPUSet // "" when not pinned
	// restore puts the services found running back on the CPUs they had.
	restore []func() error
}

// describe says it in words, for the environment and every record.
func (p *pinning) describe() string {
	if p.sut == "" {
		return "not pinned: the stack, its services and the load generator share every CPU"
	}
	return fmt.Sprintf("stack, PostgreSQL, Redis and Kafka on CPUs %s; load generator (the harness) on CPUs %s", p.sut, p.gen)
}

// sutCPUs is where stack processes start: "" (any CPU) before pinning or when not pinned.
func (p *pinning) sutCPUs() proc.CPUSet {
	if p == nil {
		return ""
	}
	return p.sut
}

// label is the pinning in a record: "sut=0 gen=1", or "" when not pinned.
func (p *pinning) label() string {
	if p == nil || p.sut == "" {
		return ""
	}
	return fmt.Sprintf("sut=%s gen=%s", p.sut, p.gen)
}

// pinCPUs confines the system under test and the generator to the plan's CPUs: the harness process
// (the generator) and, for the services the lab found or started, their processes. Stack processes
// are started on the SUT CPUs (startStack). PostgreSQL backends forked later inherit the
// postmaster's CPUs. Call unpin at the end of the run.
func (l *lab) pinCPUs() (*pinning, error) {
	c := l.cfg.Plan.CPUs
	p := &pinning{}
	if c.Pin == "off" {
		return p, nil
	}
	n := runtime.NumCPU()
	sut, gen := c.SUT, c.Generator
	if sut == "" && gen == "" {
		if n < 2 {
			l.note("this machine has one CPU: the stack and the load generator cannot be pinned apart")
			return p, nil
		}
		gen = strconv.Itoa(n - 1)
		sut = "0"
		if n > 2 {
			sut = "0-" + strconv.Itoa(n-2)
		}
	}
	var err error
	if p.sut, err = proc.ParseCPUSet(sut); err != nil {
		return nil, fmt.Errorf("plan cpus.sut: %w", err)
	}
	if p.gen, err = proc.ParseCPUSet(gen); err != nil {
		return nil, fmt.Errorf("plan cpus.generator: %w", err)
	}
	services := l.cfg.Services
	var sutPIDs []int
	for _, root := range append(append(append([]int{}, services.Postgres.PIDs...), services.Redis.PIDs...), l.kafkaPIDs()...) {
		tree, err := proc.Tree(root)
		if err != nil {
			continue // gone: nothing to pin
		}
		sutPIDs = append(sutPIDs, tree...)
	}
	all := append([]int{os.Getpid()}, sutPIDs...)
	for _, pid := range all {
		before, err := proc.Affinity(pid)
		if err != nil {
			continue
		}
		p.restore = append(p.restore, func() error { return proc.Pin(before, pid) })
	}
	if err := proc.Pin(p.gen, os.Getpid()); err != nil {
		return nil, errors.Join(fmt.Errorf("pinning the load generator: %w", err), p.unpin())
	}
	// As many processors for the generator's goroutines as it has CPUs: more would make them
	// wait for one another on the same CPU.
	procs := runtime.GOMAXPROCS(p.gen.Count())
	p.restore = append(p.restore, func() error { runtime.GOMAXPROCS(procs); return nil })
	if err := proc.Pin(p.sut, sutPIDs...); err != nil {
		return nil, errors.Join(fmt.Errorf("pinning the services: %w", err), p.unpin())
	}
	return p, nil
}

// unpin puts every pinned process back on the CPUs it had.
func (p *pinning) unpin() error {
	var errs []error
	for _, r := range p.restore {
		errs = append(errs, r())
	}
	p.restore = nil
	return errors.Join(errs...)
}
