package franz_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"stacklab/ledgerspec"
	"stacklab/stacks/events"
	"stacklab/stacks/events/franz"
)

// BenchmarkPublish measures one relay-sized batch (256 transactions, every fourth with an alert)
// published to an in-process kfake broker and acknowledged.
func BenchmarkPublish(b *testing.B) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.DefaultNumPartitions(3))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	p, err := franz.Open(ctx, franz.Config{Brokers: c.ListenAddrs()})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	value := []byte(`{"id":"tx-000000","seq":1,"postings":[{"debit_account_id":"a","credit_account_id":"b","amount":100}],"description":"benchmark","risk_flags":[],"created_at":"2026-11-24T00:00:00.000000Z"}`)
	var recs []events.Record
	for i := range 256 {
		key := fmt.Appendf(nil, "tx-%06d", i)
		recs = append(recs, events.Record{Topic: ledgerspec.TopicTransactions, Key: key, Value: value})
		if i%4 == 0 {
			recs = append(recs, events.Record{Topic: ledgerspec.TopicAlerts, Key: key, Value: value})
		}
	}
	b.SetBytes(int64(len(recs) * len(value)))
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Publish(ctx, recs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
