package sqlcstore_test

import (
	"context"
	"testing"

	"stacklab/stacks/parttest/pgtest"
	"stacklab/stacks/parttest/storetest"
	sqlcstore "stacklab/stacks/store/sqlc"
)

// The round trips each variant documents (see the package comment), per storetest operation.
var (
	plainTrips = map[string]int{
		storetest.OpCreateAccount:         1,
		storetest.OpCreateAccountExisting: 1,
		storetest.OpAccount:               1,
		storetest.OpTransaction:           1,
		storetest.OpPostCommitted:         6,
		storetest.OpPostFailed:            5,
		storetest.OpPostReplay:            1,
		storetest.OpAccountTransactions:   1,
		storetest.OpAccountTransactionsNo: 2,
		storetest.OpAccountHistory:        1,
		storetest.OpLedgerTransactions:    1,
		storetest.OpBalances:              1,
		storetest.OpOutboxRelay:           4,
		storetest.OpOutboxRelayEmpty:      3,
		storetest.OpOutboxPending:         1,
	}
	pipelinedTrips = map[string]int{
		storetest.OpCreateAccount:         1,
		storetest.OpCreateAccountExisting: 1,
		storetest.OpAccount:               1,
		storetest.OpTransaction:           1,
		storetest.OpPostCommitted:         2,
		storetest.OpPostFailed:            2,
		storetest.OpPostReplay:            2,
		storetest.OpAccountTransactions:   1,
		storetest.OpAccountTransactionsNo: 2,
		storetest.OpAccountHistory:        1,
		storetest.OpLedgerTransactions:    1,
		storetest.OpBalances:              1,
		storetest.OpOutboxRelay:           2,
		storetest.OpOutboxRelayEmpty:      2,
		storetest.OpOutboxPending:         1,
	}
)

func TestRoundTrips(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			want := plainTrips
			if v.pipeline {
				want = pipelinedTrips
			}
			storetest.RoundTrips(t, func(t *testing.T, dial storetest.Dial) storetest.Store {
				s, err := sqlcstore.Open(context.Background(), sqlcstore.Config{
					DSN: pgtest.Database(t), MaxConns: 1, Pipeline: v.pipeline, Dial: dial})
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				t.Cleanup(s.Close)
				return s
			}, want)
		})
	}
}
