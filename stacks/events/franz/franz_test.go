package franz_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"stacklab/ledgerspec"
	"stacklab/ledgerspec/conformance"
	"stacklab/ledgerspec/conformance/kafkalog"
	"stacklab/stacks/events"
	"stacklab/stacks/events/franz"
)

// startKfake starts an in-process broker on a loopback port; it is closed at the end of the test
// unless the test closed it first.
func startKfake(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("starting kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func open(t *testing.T, brokers []string) *franz.Publisher {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := franz.Open(ctx, franz.Config{Brokers: brokers, ClientID: "franz-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// partitionCounts reads the partition count of each topic; 0 for a topic the cluster lacks.
func partitionCounts(t *testing.T, brokers []string, topics ...string) map[string]int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrMetadataRequest()
	for _, topic := range topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, rt := range resp.Topics {
		if kerr.ErrorForCode(rt.ErrorCode) == nil {
			got[*rt.Topic] = len(rt.Partitions)
		}
	}
	return got
}

func readBack(t *testing.T, brokers []string, topic string) []conformance.Event {
	t.Helper()
	l, err := kafkalog.Open(brokers)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	evs, err := l.Records(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestPublishMakesSureTheTopicsExist(t *testing.T) {
	both := []string{ledgerspec.TopicTransactions, ledgerspec.TopicAlerts}
	tests := []struct {
		name string
		opts []kfake.Opt
		want map[string]int
	}{
		{
			name: "creates both with the broker's default partition count",
			opts: []kfake.Opt{kfake.NumBrokers(1), kfake.DefaultNumPartitions(3)},
			want: map[string]int{ledgerspec.TopicTransactions: 3, ledgerspec.TopicAlerts: 3},
		},
		{
			name: "three brokers",
			opts: []kfake.Opt{kfake.NumBrokers(3), kfake.DefaultNumPartitions(2)},
			want: map[string]int{ledgerspec.TopicTransactions: 2, ledgerspec.TopicAlerts: 2},
		},
		{
			name: "keeps an existing topic and creates the other",
			opts: []kfake.Opt{kfake.NumBrokers(1), kfake.DefaultNumPartitions(4), kfake.SeedTopics(7, ledgerspec.TopicTransactions)},
			want: map[string]int{ledgerspec.TopicTransactions: 7, ledgerspec.TopicAlerts: 4},
		},
		{
			name: "both exist already",
			opts: []kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(5, both...)},
			want: map[string]int{ledgerspec.TopicTransactions: 5, ledgerspec.TopicAlerts: 5},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// kfake does not create topics on metadata requests unless told to: only
			// Open's CreateTopics request can make them.
			brokers := startKfake(t, tc.opts...).ListenAddrs()
			publishOne(t, open(t, brokers))
			if got := partitionCounts(t, brokers, both...); !mapsEqual(got, tc.want) {
				t.Errorf("partitions = %v, want %v", got, tc.want)
			}
			publishOne(t, open(t, brokers)) // a second stack on the same cluster
			if got := partitionCounts(t, brokers, both...); !mapsEqual(got, tc.want) {
				t.Errorf("after a second publisher, partitions = %v, want %v", got, tc.want)
			}
		})
	}
}

func publishOne(t *testing.T, p *franz.Publisher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Publish(ctx, []events.Record{{Topic: ledgerspec.TopicTransactions, Key: []byte("k"), Value: []byte("v")}}); err != nil {
		t.Fatalf("Publish: %v", err)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestPublishThenReadBackInOrderPerKey(t *testing.T) {
	brokers := startKfake(t, kfake.NumBrokers(1), kfake.DefaultNumPartitions(4)).ListenAddrs()
	p := open(t, brokers)
	const batches, perBatch, keys = 6, 100, 37
	want := map[string]map[string][]string{} // topic → key → values in publish order
	for b := range batches {
		recs := make([]events.Record, 0, perBatch)
		for i := range perBatch {
			n := b*perBatch + i
			topic := ledgerspec.TopicTransactions
			if n%5 == 0 {
				topic = ledgerspec.TopicAlerts
			}
			key := fmt.Sprintf("key-%d", n%keys)
			value := strconv.Itoa(n)
			recs = append(recs, events.Record{Topic: topic, Key: []byte(key), Value: []byte(value)})
			if want[topic] == nil {
				want[topic] = map[string][]string{}
			}
			want[topic][key] = append(want[topic][key], value)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := p.Publish(ctx, recs)
		cancel()
		if err != nil {
			t.Fatalf("batch %d: %v", b, err)
		}
	}
	total := 0
	for topic, perKey := range want {
		got := map[string][]string{}
		evs := readBack(t, brokers, topic)
		total += len(evs)
		for _, e := range evs {
			got[string(e.Key)] = append(got[string(e.Key)], string(e.Value))
		}
		for key, values := range perKey {
			if !slices.Equal(got[key], values) {
				t.Errorf("%s key %s: read %v, published %v", topic, key, got[key], values)
			}
		}
		if len(got) != len(perKey) {
			t.Errorf("%s: read %d keys, published %d", topic, len(got), len(perKey))
		}
	}
	if total != batches*perBatch {
		t.Errorf("read %d records, published %d", total, batches*perBatch)
	}
}

func TestPublishNothing(t *testing.T) {
	p := open(t, startKfake(t, kfake.NumBrokers(1)).ListenAddrs())
	if err := p.Publish(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestPublishFailsInBoundedTimeWhenTheBrokerIsGone(t *testing.T) {
	c := startKfake(t, kfake.NumBrokers(1))
	p := open(t, c.ListenAddrs())
	rec := []events.Record{{Topic: ledgerspec.TopicTransactions, Key: []byte("k"), Value: []byte("v")}}
	if err := p.Publish(context.Background(), rec); err != nil {
		t.Fatalf("publishing while the broker is up: %v", err)
	}
	c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	err := p.Publish(ctx, rec)
	took := time.Since(start)
	if err == nil {
		t.Fatal("Publish to a closed broker succeeded")
	}
	if !strings.Contains(err.Error(), "producing 1 records to kafka at") {
		t.Errorf("error %q lacks its context", err)
	}
	if took > 4*time.Second {
		t.Errorf("Publish took %v to fail with a 2 s deadline", took)
	}
}

// TestOpenDoesNotWaitForBrokers: Open fails only without an address; with brokers that refuse
// connections or never answer it returns at once, and Publish fails within its deadline, saying
// where it tried.
func TestOpenDoesNotWaitForBrokers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept, never answer
		}
	}()
	if p, err := franz.Open(context.Background(), franz.Config{}); err == nil || !strings.Contains(err.Error(), "no broker address") {
		if err == nil {
			p.Close()
		}
		t.Errorf("Open without brokers = %v, want an error saying so", err)
	}
	for _, tc := range []struct{ name, broker string }{{"refused", refused}, {"silent", silent.Addr().String()}} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			p, err := franz.Open(context.Background(), franz.Config{Brokers: []string{tc.broker}})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer p.Close()
			if took := time.Since(start); took > 100*time.Millisecond {
				t.Errorf("Open took %v: it must not wait for a broker", took)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start = time.Now()
			err = p.Publish(ctx, []events.Record{{Topic: ledgerspec.TopicTransactions, Key: []byte("k"), Value: []byte("v")}})
			took := time.Since(start)
			if err == nil || !strings.Contains(err.Error(), tc.broker) {
				t.Errorf("Publish = %v, want an error naming %s", err, tc.broker)
			}
			if took > 2*time.Second {
				t.Errorf("Publish took %v to fail with a 1 s deadline", took)
			}
		})
	}
}
