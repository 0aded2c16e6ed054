package goredis

import (
	"context"
	"strconv"
	"testing"
	"time"

	"stacklab/stacks/app"
)

// BenchmarkCache measures one call at a time against the real Redis (latency, not throughput) and
// reports the round trips per call counted by a go-redis hook.
func BenchmarkCache(b *testing.B) {
	ctx := context.Background()
	body := []byte(`{"id":"acc-alice","ledger":"USD","name":"Alice <3","flags":{"debits_must_not_exceed_credits":true,` +
		`"credits_must_not_exceed_debits":false},"debits_posted":1250,"credits_posted":500000,"balance":498750,` +
		`"created_at":"2026-11-24T10:00:00.123456Z"}`)
	for _, n := range []int{1, 4} {
		b.Run("redis=goredis/op=count_debits/accounts="+strconv.Itoa(n), func(b *testing.B) {
			c, h := openTest(b, time.Minute)
			accounts := []string{"acc-a", "acc-b", "acc-c", "acc-d"}[:n]
			h.reset()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if _, err := c.CountDebits(ctx, "tx-"+strconv.Itoa(i), accounts, time.Now(), time.Minute, 64); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(h.roundTrips())/float64(i), "roundtrips/op")
		})
	}
	b.Run("redis=goredis/op=account_hit", func(b *testing.B) {
		c, h := openTest(b, time.Minute)
		if err := c.PutAccounts(ctx, []app.CachedAccount{{ID: "acc-a", Version: 1, Body: body}}); err != nil {
			b.Fatal(err)
		}
		h.reset()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, ok, err := c.Account(ctx, "acc-a"); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
		b.ReportMetric(float64(h.roundTrips())/float64(i), "roundtrips/op")
	})
	for _, n := range []int{1, 4} {
		b.Run("redis=goredis/op=put_accounts/entries="+strconv.Itoa(n), func(b *testing.B) {
			c, h := openTest(b, time.Minute)
			entries := make([]app.CachedAccount, n)
			for j := range entries {
				entries[j] = app.CachedAccount{ID: "acc-" + strconv.Itoa(j), Body: body}
			}
			h.reset()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				for j := range entries {
					entries[j].Version = int64(i) // newer every time: each put writes
				}
				if err := c.PutAccounts(ctx, entries); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(h.roundTrips())/float64(i), "roundtrips/op")
		})
	}
}
