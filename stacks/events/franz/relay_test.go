package franz_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"stacklab/ledgerspec"
	"stacklab/ledgerspec/conformance"
	"stacklab/stacks/app"
	"stacklab/stacks/events"
	"stacklab/stacks/events/eventstest"
	"stacklab/stacks/events/franz"
)

// transactions returns committed records seq from … from+n−1; every fourth one is flagged.
func transactions(from, n int) []app.TxRecord {
	txs := make([]app.TxRecord, n)
	for i := range txs {
		seq := from + i
		flags := []string{}
		if seq%4 == 0 {
			flags = []string{"velocity", "large_amount"}
		}
		txs[i] = app.TxRecord{
			ID: fmt.Sprintf("tx-%05d", seq), Ledger: "L", Seq: int64(seq),
			Postings:    []ledgerspec.Posting{{DebitAccountID: "a", CreditAccountID: "b", Amount: int64(seq)}},
			Description: "e2e " + strconv.Itoa(seq), RiskFlags: flags,
			CreatedAt: time.Date(2026, 11, 24, 0, 0, 0, seq*1000, time.UTC), FailIndex: -1,
		}
	}
	return txs
}

// checkTopics checks that every transaction of txs is on the transactions topic and the flagged
// ones on the alerts topic, with the view as value, and that nothing else is. When exactly is
// set, each must be there once; else at least once (a retried batch may repeat).
func checkTopics(t *testing.T, brokers []string, txs []app.TxRecord, exactly bool) {
	t.Helper()
	wantTx := map[string]string{}
	wantAlert := map[string]string{}
	for i := range txs {
		v, err := eventstest.JSONCodec{}.Marshal(app.TransactionView(&txs[i]))
		if err != nil {
			t.Fatal(err)
		}
		wantTx[txs[i].ID] = string(v)
		if len(txs[i].RiskFlags) > 0 {
			wantAlert[txs[i].ID] = string(v)
		}
	}
	for _, tc := range []struct {
		topic string
		want  map[string]string
	}{{ledgerspec.TopicTransactions, wantTx}, {ledgerspec.TopicAlerts, wantAlert}} {
		seen := map[string]int{}
		for _, e := range readBack(t, brokers, tc.topic) {
			want, ok := tc.want[string(e.Key)]
			if !ok {
				t.Errorf("%s: unexpected key %q", tc.topic, e.Key)
				continue
			}
			if string(e.Value) != want {
				t.Errorf("%s: key %s has value %s, want %s", tc.topic, e.Key, e.Value, want)
			}
			seen[string(e.Key)]++
		}
		for id := range tc.want {
			if n := seen[id]; n == 0 || (exactly && n != 1) {
				t.Errorf("%s: %s published %d times", tc.topic, id, n)
			}
		}
	}
}

func waitEmpty(t *testing.T, ob *eventstest.Outbox, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		n, err := ob.OutboxPending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rows still pending after %v", n, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func runRelay(t *testing.T, r *events.Relay) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return within 5 s of its context ending")
		}
	})
}

func TestRelayThroughKafka(t *testing.T) {
	brokers := startKfake(t, kfake.NumBrokers(1), kfake.DefaultNumPartitions(3)).ListenAddrs()
	pub := open(t, brokers)
	ob := &eventstest.Outbox{}
	r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{Batch: 64, Poll: time.Hour})
	runRelay(t, r)
	var all []app.TxRecord
	for chunk := range 10 {
		txs := transactions(1+chunk*50, 50)
		all = append(all, txs...)
		ob.Add(txs...)
		r.Notify()
	}
	waitEmpty(t, ob, 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	st := r.Stats()
	if st.Failures != 0 || st.Published != 500 || st.Records != 500+125 {
		t.Errorf("Stats = %+v, want 500 published, 625 records, no failure", st)
	}
	checkTopics(t, brokers, all, true)
	checkCommitOrder(t, readBack(t, brokers, ledgerspec.TopicTransactions), 3)
}

// checkCommitOrder checks that within each partition seqs ascend. Records come partition after
// partition, so the seq sequence may drop at most partitions−1 times.
func checkCommitOrder(t *testing.T, evs []conformance.Event, partitions int) {
	t.Helper()
	drops := 0
	for i := 1; i < len(evs); i++ {
		var prev, cur ledgerspec.Transaction
		if err := (eventstest.JSONCodec{}).Unmarshal(evs[i-1].Value, &prev); err != nil {
			t.Fatal(err)
		}
		if err := (eventstest.JSONCodec{}).Unmarshal(evs[i].Value, &cur); err != nil {
			t.Fatal(err)
		}
		if cur.Seq <= prev.Seq {
			drops++
		}
	}
	if drops > partitions-1 {
		t.Errorf("seqs drop %d times across %d partitions: not in commit order within a partition", drops, partitions)
	}
}

func TestRelaySurvivesABrokerOutage(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(port), kfake.DataDir(dir), kfake.DefaultNumPartitions(2)}
	first := startKfake(t, opts...)
	brokers := first.ListenAddrs()
	pub := open(t, brokers)
	ob := &eventstest.Outbox{}
	r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{
		Poll: 20 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		Timeout: time.Second,
	})
	runRelay(t, r)

	before := transactions(1, 40)
	ob.Add(before...)
	r.Notify()
	waitEmpty(t, ob, 10*time.Second)

	first.Close() // the broker goes away; commits go on
	during := transactions(41, 40)
	ob.Add(during...)
	r.Notify()
	deadline := time.Now().Add(10 * time.Second)
	for r.Stats().Failures < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no failed attempts while the broker was down: %+v", r.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n, _ := ob.OutboxPending(context.Background()); n == 0 {
		t.Fatal("rows were deleted while the broker was down")
	}

	startKfake(t, opts...) // back on the same port with the same data
	waitEmpty(t, ob, 20*time.Second)
	checkTopics(t, brokers, append(before, during...), false)
}

// freePort returns a loopback port nothing listens on, for a broker to come up on later.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// outageRelay runs a relay from a fresh in-memory outbox through a publisher of brokers, with
// short backoffs and attempts.
func outageRelay(t *testing.T, brokers []string) (*eventstest.Outbox, *events.Relay) {
	t.Helper()
	ob := &eventstest.Outbox{}
	r := events.NewRelay(ob, open(t, brokers), eventstest.JSONCodec{}, nil, events.RelayOptions{
		Poll: 20 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		Timeout: time.Second,
	})
	runRelay(t, r)
	return ob, r
}

// waitFailures waits until the relay has failed at least n attempts.
func waitFailures(t *testing.T, r *events.Relay, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.Stats().Failures < n {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d failed attempts while the broker was away: %+v", n, r.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A stack that starts while the broker is down opens its publisher all the same; the committed
// transactions wait in the outbox and are published once a broker appears, without a restart.
func TestRelayStartsBeforeTheBroker(t *testing.T) {
	port := freePort(t)
	brokers := []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	ob, r := outageRelay(t, brokers)
	txs := transactions(1, 30)
	ob.Add(txs...)
	r.Notify()
	waitFailures(t, r, 2)
	if n, _ := ob.OutboxPending(context.Background()); n != int64(len(txs)) {
		t.Fatalf("%d rows pending while no broker exists, want %d", n, len(txs))
	}
	up := time.Now()
	startKfake(t, kfake.NumBrokers(1), kfake.Ports(port), kfake.DefaultNumPartitions(2))
	waitEmpty(t, ob, 20*time.Second)
	t.Logf("published %v after the broker came up (%d failed attempts before)", time.Since(up).Round(time.Millisecond), r.Stats().Failures)
	checkTopics(t, brokers, txs, false)
}

// A broker that restarts without its storage comes back without the topics (kfake keeps nothing
// without a DataDir): the publisher sees it, creates them again, replaces its client (the old one
// knows the lost topics by their ids and would not produce to the new ones) and the relay publishes
// what waited, without a restart. Records published before the restart are lost with the broker.
func TestRelayRecoversFromABrokerThatLostItsTopics(t *testing.T) {
	port := freePort(t)
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(port), kfake.DefaultNumPartitions(2)}
	first := startKfake(t, opts...)
	brokers := first.ListenAddrs()
	ob, r := outageRelay(t, brokers)
	ob.Add(transactions(1, 20)...)
	r.Notify()
	waitEmpty(t, ob, 10*time.Second)

	first.Close()
	during := transactions(21, 40)
	ob.Add(during...)
	r.Notify()
	waitFailures(t, r, r.Stats().Failures+2)

	up := time.Now()
	startKfake(t, opts...) // same port, no topics
	waitEmpty(t, ob, 20*time.Second)
	t.Logf("published %v after the broker came back without its topics", time.Since(up).Round(time.Millisecond))
	checkTopics(t, brokers, during, false)
	if got := partitionCounts(t, brokers, ledgerspec.TopicTransactions, ledgerspec.TopicAlerts); got[ledgerspec.TopicTransactions] != 2 || got[ledgerspec.TopicAlerts] != 2 {
		t.Errorf("recreated topics have partitions %v, want 2 each (the broker's default)", got)
	}
	// And it goes on: later commits are published too.
	after := transactions(61, 10)
	ob.Add(after...)
	r.Notify()
	waitEmpty(t, ob, 10*time.Second)
	checkTopics(t, brokers, append(during, after...), false)
}

// Open connects to nothing; the first Publish makes sure the topics exist and produces.
func ExampleOpen() {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()
	pub, err := franz.Open(ctx, franz.Config{Brokers: c.ListenAddrs(), ClientID: "example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pub.Close()
	err = pub.Publish(ctx, []events.Record{{Topic: ledgerspec.TopicTransactions, Key: []byte("t1"), Value: []byte(`{"id":"t1"}`)}})
	fmt.Println("published:", err == nil)
	// Output: published: true
}

// publishUntil retries Publish of one record until it succeeds, and fails the test after within.
func publishUntil(t *testing.T, p *franz.Publisher, key string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := p.Publish(ctx, []events.Record{{Topic: ledgerspec.TopicTransactions, Key: []byte(key), Value: []byte("v")}})
		cancel()
		if err == nil {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("Publish of %s still fails %v after the broker came back: %v", key, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Two publishers on one broker that came back without its topics: the first to publish creates
// them again; the second finds them existing, but as other instances (other topic ids) than the
// ones its client produced to, and must replace its client too.
func TestTwoPublishersAfterTheTopicsWereRecreated(t *testing.T) {
	port := freePort(t)
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(port)}
	first := startKfake(t, opts...)
	brokers := first.ListenAddrs()
	a, b := open(t, brokers), open(t, brokers)
	publishOne(t, a)
	publishOne(t, b)
	first.Close()
	startKfake(t, opts...)
	tookA := publishUntil(t, a, "a", 10*time.Second)
	tookB := publishUntil(t, b, "b", 10*time.Second)
	t.Logf("after the broker came back without topics: the first publisher published in %v, the second in %v", tookA, tookB)
	keys := map[string]bool{}
	for _, e := range readBack(t, brokers, ledgerspec.TopicTransactions) {
		keys[string(e.Key)] = true
	}
	if !keys["a"] || !keys["b"] {
		t.Errorf("the recreated topic holds keys %v, want a and b", keys)
	}
}
