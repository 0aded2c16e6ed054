package kafkalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"stacklab/ledgerspec/conformance"
)

// openTimeout bounds how long Open waits for the broker's first answer.
const openTimeout = 5 * time.Second

// Log reads topics of one Kafka cluster. It is safe for concurrent use.
type Log struct {
	brokers []string
	admin   *kgo.Client
}

var _ conformance.EventLog = (*Log)(nil)

// Open connects to the cluster at brokers (host:port seeds) and checks that it answers within 5 s.
func Open(brokers []string) (*Log, error) {
	if len(brokers) == 0 {
		return nil, errors.New("opening kafka event log: no broker address given")
	}
	admin, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ClientID("stacklab-conformance"))
	if err != nil {
		return nil, fmt.Errorf("opening kafka event log at %s: %w", strings.Join(brokers, ","), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	if err := admin.Ping(ctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("opening kafka event log: broker at %s did not answer within %v: %w",
			strings.Join(brokers, ","), openTimeout, err)
	}
	return &Log{brokers: slices.Clone(brokers), admin: admin}, nil
}

// Close releases the log's connections.
func (l *Log) Close() { l.admin.Close() }

// Records returns every record of topic from the start of each partition up to the partition's
// end offset at the time of the call: partitions in ascending order, records in offset order
// within each. A topic that does not exist gives an empty slice.
func (l *Log) Records(ctx context.Context, topic string) ([]conformance.Event, error) {
	parts, err := l.partitions(ctx, topic)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return []conformance.Event{}, nil
	}
	starts, err := l.offsets(ctx, topic, parts, -2) // earliest
	if err != nil {
		return nil, err
	}
	ends, err := l.offsets(ctx, topic, parts, -1) // latest (the high watermark)
	if err != nil {
		return nil, err
	}
	return l.consume(ctx, topic, parts, starts, ends)
}

// partitions lists the topic's partitions, none when the topic does not exist.
func (l *Log) partitions(ctx context.Context, topic string) ([]int32, error) {
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	req.AllowAutoTopicCreation = false
	resp, err := req.RequestWith(ctx, l.admin)
	if err != nil {
		return nil, fmt.Errorf("reading metadata of topic %s: %w", topic, err)
	}
	for _, t := range resp.Topics {
		if t.Topic == nil || *t.Topic != topic {
			continue
		}
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			if errors.Is(err, kerr.UnknownTopicOrPartition) {
				return nil, nil
			}
			return nil, fmt.Errorf("reading metadata of topic %s: %w", topic, err)
		}
		parts := make([]int32, 0, len(t.Partitions))
		for _, p := range t.Partitions {
			parts = append(parts, p.Partition)
		}
		slices.Sort(parts)
		return parts, nil
	}
	return nil, nil
}

// offsets lists one offset per partition: ts -2 for the log start, -1 for the end.
func (l *Log) offsets(ctx context.Context, topic string, parts []int32, ts int64) (map[int32]int64, error) {
	which := map[int64]string{-2: "start", -1: "end"}[ts]
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	for _, p := range parts {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition = p
		rp.Timestamp = ts
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, l.admin)
	if err != nil {
		return nil, fmt.Errorf("listing %s offsets of topic %s: %w", which, topic, err)
	}
	got := make(map[int32]int64, len(parts))
	for _, t := range resp.Topics {
		if t.Topic != topic {
			continue
		}
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("listing %s offset of %s/%d: %w", which, topic, p.Partition, err)
			}
			got[p.Partition] = p.Offset
		}
	}
	for _, p := range parts {
		if _, ok := got[p]; !ok {
			return nil, fmt.Errorf("listing %s offsets of topic %s: no answer for partition %d", which, topic, p)
		}
	}
	return got, nil
}

// consume reads every partition from starts up to ends.
func (l *Log) consume(ctx context.Context, topic string, parts []int32, starts, ends map[int32]int64) ([]conformance.Event, error) {
	from := make(map[int32]kgo.Offset)
	next := make(map[int32]int64) // the next offset expected per unfinished partition
	for _, p := range parts {
		if starts[p] < ends[p] {
			from[p] = kgo.NewOffset().At(starts[p])
			next[p] = starts[p]
		}
	}
	if len(from) == 0 {
		return []conformance.Event{}, nil
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(l.brokers...),
		kgo.ClientID("stacklab-conformance"),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: from}),
		// Control records (transaction markers) take offsets too: keep them so that the end
		// offset is always reached, and leave them out of the result.
		kgo.KeepControlRecords(),
		kgo.FetchMaxWait(200*time.Millisecond),
	)
	if err != nil {
		return nil, fmt.Errorf("consuming topic %s: %w", topic, err)
	}
	defer cl.Close()

	byPart := make(map[int32][]conformance.Event, len(from))
	for len(next) > 0 {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("consuming topic %s: %d partitions short of their end offsets: %w", topic, len(next), err)
		}
		var ferr error
		fetches.EachError(func(t string, p int32, err error) {
			ferr = errors.Join(ferr, fmt.Errorf("fetching %s/%d: %w", t, p, err))
		})
		if ferr != nil {
			return nil, fmt.Errorf("consuming topic %s: %w", topic, ferr)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			want, open := next[r.Partition]
			if !open || r.Offset < want {
				return
			}
			if r.Offset < ends[r.Partition] && !r.Attrs.IsControl() {
				byPart[r.Partition] = append(byPart[r.Partition], conformance.Event{Key: r.Key, Value: r.Value})
			}
			next[r.Partition] = r.Offset + 1
			if r.Offset+1 >= ends[r.Partition] {
				delete(next, r.Partition)
			}
		})
	}
	events := []conformance.Event{}
	for _, p := range parts {
		events = append(events, byPart[p]...)
	}
	return events, nil
}
