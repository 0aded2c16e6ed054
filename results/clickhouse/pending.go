package clickhouse

import (
	"context"
	"errors"
	"fmt"

	"stacklab/results/spool"
)

// PublishPending publishes every spooled run not yet marked as published to this sink
// (Sink.Name), marking each once it is in ClickHouse, oldest first. n counts the runs it inserted;
// a run found already there is marked too but not counted. For a scratch server (Name is "")
// every spooled run is offered and none is marked; Publish skips those already there. A run that fails (unreadable, refused,
// an insert error) is reported in the returned error and the others go on; progress, when not nil,
// is called after each run that is now in ClickHouse.
func PublishPending(ctx context.Context, sp *spool.Spool, sink *Sink, progress func(id string, published bool)) (n int, err error) {
	list, err := sp.List()
	if err != nil {
		return 0, err
	}
	name := sink.Name()
	var errs []error
	for i := range list {
		e := &list[i]
		if name != "" && e.IsPublished(name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("publishing pending runs: stopped before run %q: %w", e.ID, err))
			break
		}
		if e.Err != nil {
			errs = append(errs, fmt.Errorf("run %q not published: %w", e.ID, e.Err))
			continue
		}
		run, err := sp.Load(e.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("run %q not published: %w", e.ID, err))
			continue
		}
		published, err := sink.Publish(ctx, run)
		if err != nil {
			errs = append(errs, fmt.Errorf("run %q not published: %w", e.ID, err))
			continue
		}
		if published {
			n++
		}
		if name != "" {
			if err := sp.MarkPublished(e.ID, name); err != nil {
				errs = append(errs, fmt.Errorf("run %q is in %s but could not be marked (it will be checked again next time): %w", e.ID, sink, err))
			}
		}
		if progress != nil {
			progress(e.ID, published)
		}
	}
	return n, errors.Join(errs...)
}
