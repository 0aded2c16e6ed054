package kafkalog_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"stacklab/ledgerspec/conformance"
	"stacklab/ledgerspec/conformance/kafkalog"
)

// cluster starts an in-process kfake broker on a loopback port.
func cluster(t *testing.T, opts ...kfake.Opt) []string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatalf("starting kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

func open(t *testing.T, brokers []string) *kafkalog.Log {
	t.Helper()
	l, err := kafkalog.Open(brokers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

func client(t *testing.T, brokers []string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// produce sends n records to topic with keys k0…k(keys-1) in turn and values "key#i".
func produce(t *testing.T, cl *kgo.Client, topic string, from, n, keys int) {
	t.Helper()
	recs := make([]*kgo.Record, 0, n)
	for i := from; i < from+n; i++ {
		k := fmt.Sprintf("k%d", i%keys)
		recs = append(recs, &kgo.Record{Topic: topic, Key: []byte(k), Value: fmt.Appendf(nil, "%s#%d", k, i)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("producing: %v", err)
	}
}

func records(t *testing.T, l *kafkalog.Log, topic string) []conformance.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	evs, err := l.Records(ctx, topic)
	if err != nil {
		t.Fatalf("Records(%s): %v", topic, err)
	}
	return evs
}

// checkPerKey checks that evs holds exactly the values i in [0, n) for their keys, each key's in
// ascending order of i.
func checkPerKey(t *testing.T, evs []conformance.Event, n, keys int) {
	t.Helper()
	if len(evs) != n {
		t.Fatalf("got %d records, want %d", len(evs), n)
	}
	perKey := map[string][]string{}
	for _, e := range evs {
		perKey[string(e.Key)] = append(perKey[string(e.Key)], string(e.Value))
	}
	for k := range keys {
		key := fmt.Sprintf("k%d", k)
		var want []string
		for i := k; i < n; i += keys {
			want = append(want, fmt.Sprintf("%s#%d", key, i))
		}
		if !slices.Equal(perKey[key], want) {
			t.Errorf("key %s: values %v, want %v", key, perKey[key], want)
		}
	}
}

func TestRecords(t *testing.T) {
	tests := []struct {
		name       string
		partitions int32
		n, keys    int
	}{
		{"empty topic", 3, 0, 1},
		{"one partition", 1, 50, 5},
		{"some partitions empty", 8, 40, 2},
		{"many keys", 4, 500, 37},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			brokers := cluster(t, kfake.SeedTopics(tc.partitions, "events"))
			produce(t, client(t, brokers), "events", 0, tc.n, tc.keys)
			checkPerKey(t, records(t, open(t, brokers), "events"), tc.n, tc.keys)
		})
	}
}

func TestRecordsIsASnapshotAtTheCall(t *testing.T) {
	brokers := cluster(t, kfake.SeedTopics(3, "events"))
	prod := client(t, brokers)
	l := open(t, brokers)
	produce(t, prod, "events", 0, 30, 3)
	checkPerKey(t, records(t, l, "events"), 30, 3)
	produce(t, prod, "events", 30, 15, 3)
	checkPerKey(t, records(t, l, "events"), 45, 3)
	// Nothing new: the same records again, and no waiting for more.
	start := time.Now()
	checkPerKey(t, records(t, l, "events"), 45, 3)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Records of an idle topic took %v", took)
	}
}

func TestRecordsOfAMissingTopicIsEmpty(t *testing.T) {
	// Auto-creation on: reading must not create the topic either.
	brokers := cluster(t, kfake.AllowAutoTopicCreation())
	l := open(t, brokers)
	evs := records(t, l, "absent")
	if evs == nil || len(evs) != 0 {
		t.Fatalf("Records of a missing topic = %#v, want an empty non-nil slice", evs)
	}
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr("absent")
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), client(t, brokers))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Topics) != 1 || kerr.ErrorForCode(resp.Topics[0].ErrorCode) != kerr.UnknownTopicOrPartition {
		t.Errorf("after Records the topic exists: %+v", resp.Topics)
	}
}

func TestRecordsStartsAtTheLogStart(t *testing.T) {
	brokers := cluster(t, kfake.SeedTopics(1, "events"))
	cl := client(t, brokers)
	produce(t, cl, "events", 0, 10, 1)
	req := kmsg.NewPtrDeleteRecordsRequest()
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = "events"
	rp := kmsg.NewDeleteRecordsRequestTopicPartition()
	rp.Partition = 0
	rp.Offset = 4
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	if err := kerr.ErrorForCode(resp.Topics[0].Partitions[0].ErrorCode); err != nil {
		t.Fatalf("deleting records: %v", err)
	}
	evs := records(t, open(t, brokers), "events")
	var got []string
	for _, e := range evs {
		got = append(got, string(e.Value))
	}
	want := []string{"k0#4", "k0#5", "k0#6", "k0#7", "k0#8", "k0#9"}
	if !slices.Equal(got, want) {
		t.Errorf("values = %v, want %v", got, want)
	}
}

func TestRecordsSkipsTransactionMarkers(t *testing.T) {
	brokers := cluster(t, kfake.SeedTopics(1, "events"))
	tx := client(t, brokers, kgo.TransactionalID("kafkalog-test"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tx.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	produce(t, tx, "events", 0, 5, 1)
	// The commit marker is the partition's last offset: a reader that waits for a data record at
	// end−1 never finishes.
	if err := tx.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	evs := records(t, open(t, brokers), "events")
	if len(evs) != 5 {
		t.Fatalf("got %d records, want the 5 data records without the marker", len(evs))
	}
	checkPerKey(t, evs, 5, 1)
}

func TestRecordsHonoursTheContext(t *testing.T) {
	brokers := cluster(t, kfake.SeedTopics(1, "events"))
	produce(t, client(t, brokers), "events", 0, 5, 1)
	l := open(t, brokers)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if evs, err := l.Records(ctx, "events"); err == nil {
		t.Fatalf("Records with a cancelled context = %d records, nil error", len(evs))
	}
}

func TestOpenFailsClearlyAndQuickly(t *testing.T) {
	// A port that refuses connections.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()
	// A listener that accepts and never answers.
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
			defer c.Close()
		}
	}()
	tests := []struct {
		name    string
		brokers []string
		want    string
	}{
		{"no broker", nil, "no broker address"},
		{"refused", []string{refused}, refused},
		{"silent", []string{silent.Addr().String()}, silent.Addr().String()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			l, err := kafkalog.Open(tc.brokers)
			took := time.Since(start)
			if err == nil {
				l.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %q", err, tc.want)
			}
			if took > 7*time.Second {
				t.Errorf("Open took %v to fail", took)
			}
		})
	}
}
