package events_test

import (
	"context"
	"fmt"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/events"
	"stacklab/stacks/events/eventstest"
)

// A stack runs the relay next to its HTTP server, notifies it after every commit, and drains it on
// shutdown. In-memory doubles stand in for PostgreSQL and Kafka here.
func ExampleRelay() {
	ob := &eventstest.Outbox{}
	pub := &eventstest.Publisher{}
	relay := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{})

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { relay.Run(ctx); close(done) }()

	// What the store does in the transaction that commits, and the app right after it.
	ob.Add(app.TxRecord{
		ID: "t1", Ledger: "L", Seq: 1, RiskFlags: []string{"large_amount"}, FailIndex: -1,
		Postings: []ledgerspec.Posting{{DebitAccountID: "a", CreditAccountID: "b", Amount: 5}},
	})
	relay.Notify()

	// Shutdown, once the HTTP server stopped.
	if err := relay.Drain(context.Background()); err != nil {
		fmt.Println(err)
	}
	stop()
	<-done

	for _, r := range pub.Records() {
		fmt.Println(r.Topic, string(r.Key))
	}
	fmt.Printf("%+v\n", relay.Stats())
	// Output:
	// ledger.transactions t1
	// ledger.alerts t1
	// {Published:1 Records:2 Failures:0}
}
