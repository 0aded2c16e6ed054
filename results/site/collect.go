package site

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"stacklab/results"
	"stacklab/results/spool"
)

// Source is a store of published runs besides the spool: results/clickhouse's Sink is one.
type Source interface {
	ListRuns(ctx context.Context) ([]string, error)
	LoadRun(ctx context.Context, id string) (*results.Run, error)
}

// Collect gathers the runs of a site: every readable run of the spool, then every run of src (when
// not nil) that the spool does not hold, oldest first (by start, then id). A spool file that
// cannot be read is passed over and named in notes; an error of src stops the collection, since a
// site missing published runs without saying so would mislead.
func Collect(ctx context.Context, sp *spool.Spool, src Source) (runs []*results.Run, notes []string, err error) {
	have := map[string]bool{}
	if sp != nil {
		list, err := sp.List()
		if err != nil {
			return nil, nil, fmt.Errorf("collecting runs: %w", err)
		}
		for _, e := range list {
			if e.Err != nil {
				notes = append(notes, fmt.Sprintf("left out %s: %v", e.Path, e.Err))
				continue
			}
			run, err := sp.Load(e.ID)
			if err != nil {
				notes = append(notes, fmt.Sprintf("left out %s: %v", e.Path, err))
				continue
			}
			have[run.ID] = true
			runs = append(runs, run)
		}
	}
	if src != nil {
		ids, err := src.ListRuns(ctx)
		if err != nil {
			return nil, notes, fmt.Errorf("collecting runs: listing the published runs: %w", err)
		}
		for _, id := range ids {
			if have[id] {
				continue
			}
			run, err := src.LoadRun(ctx, id)
			if err != nil {
				return nil, notes, fmt.Errorf("collecting runs: loading published run %s: %w", id, err)
			}
			have[id] = true
			runs = append(runs, run)
		}
	}
	slices.SortStableFunc(runs, func(a, b *results.Run) int {
		if c := a.Started.Compare(b.Started); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return runs, notes, nil
}
