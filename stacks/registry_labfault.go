//go:build labfault

package stacks

import (
	"context"
	"sync/atomic"

	"stacklab/stacks/app"
	sqlcstore "stacklab/stacks/store/sqlc"
)

// A deliberately broken store for the lab's own tests, only in binaries built with -tags labfault:
// it proves that the lab's checks after a trial catch a stack that gives wrong answers. It is the
// sqlc store, except that one in ten transactions posted under load (the load generator's, whose
// description is "load") is acknowledged without being committed: the answer is a 201 with a seq
// that no row holds. The conformance suite never sends that description, so the stack conforms
// and gets measured, as a subtly broken stack would.
func init() {
	Stores["sqlc-loses-writes"] = func(ctx context.Context, c StoreConfig) (Store, error) {
		s, err := sqlcstore.Open(ctx, sqlcstore.Config{DSN: c.DSN, MaxConns: c.MaxConns, Dial: c.Dial})
		if err != nil {
			return nil, err
		}
		return &losesWrites{Store: s}, nil
	}
}

type losesWrites struct {
	*sqlcstore.Store
	n atomic.Int64
}

func (s *losesWrites) Post(ctx context.Context, tx app.TxRecord, decide app.Decider) (app.PostResult, error) {
	if tx.Description == "load" && s.n.Add(1)%10 == 0 {
		tx.Ledger, tx.Seq = "LOST", 1<<40+s.n.Load()
		return app.PostResult{Record: tx}, nil
	}
	return s.Store.Post(ctx, tx, decide)
}
