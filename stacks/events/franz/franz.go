package franz

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

	"stacklab/ledgerspec"
	"stacklab/stacks/events"
)

const (
	// openTimeout bounds Open: the broker's first answer and the topics' creation.
	openTimeout = 5 * time.Second
	// deliveryTimeout bounds one record's delivery when the caller's context has no deadline.
	deliveryTimeout = 30 * time.Second
	// closeTimeout bounds the flush in Close.
	closeTimeout = 2 * time.Second
)

// Topics are the topics Open makes sure exist.
var Topics = []string{ledgerspec.TopicTransactions, ledgerspec.TopicAlerts}

// Config says where the brokers are.
type Config struct {
	// Brokers are seed addresses, host:port.
	Brokers []string
	// ClientID names the client in the broker's logs and metrics (default "stacklab").
	ClientID string
}

// Publisher is an events.Publisher on a franz-go client. It is safe for concurrent use.
type Publisher struct {
	cl *kgo.Client
}

var _ events.Publisher = (*Publisher)(nil)

// Open connects to the brokers, checks within 5 s that one answers and makes sure Topics exist.
func Open(ctx context.Context, cfg Config) (*Publisher, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("opening kafka publisher: no broker address given")
	}
	id := cfg.ClientID
	if id == "" {
		id = "stacklab"
	}
	where := strings.Join(cfg.Brokers, ",")
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ClientID(id),
		kgo.DialTimeout(openTimeout),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		// The relay hands over whole batches and waits for them: lingering only adds latency.
		kgo.ProducerLinger(0),
		kgo.RecordDeliveryTimeout(deliveryTimeout),
		// Let the caller's deadline fail records already sent to a broker that stopped answering;
		// the cost is a possible duplicate on retry, which at-least-once delivery accepts.
		kgo.AllowIdempotentProduceCancellation(),
	)
	if err != nil {
		return nil, fmt.Errorf("opening kafka publisher for %s: %w", where, err)
	}
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := cl.Ping(ctx); err != nil {
		cl.Close()
		return nil, fmt.Errorf("opening kafka publisher: no broker at %s answered within %v: %w", where, openTimeout, err)
	}
	if err := EnsureTopics(ctx, cl, Topics...); err != nil {
		cl.Close()
		return nil, fmt.Errorf("opening kafka publisher for %s: %w", where, err)
	}
	return &Publisher{cl: cl}, nil
}

// Publish sends recs and returns once the broker acknowledged all of them, or the first error, or
// an error when ctx ends first. Records it gave up on at the end of ctx may still reach the broker
// afterwards, so Publish keeps references to their keys and values: the caller must not change them.
func (p *Publisher) Publish(ctx context.Context, recs []events.Record) error {
	if len(recs) == 0 {
		return nil
	}
	krecs := make([]kgo.Record, len(recs))
	ptrs := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		krecs[i] = kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value}
		ptrs[i] = &krecs[i]
	}
	// The client checks a record's context only at some points of its retry loop (it can spend
	// seconds re-reading metadata from a broker that went away), so wait for the acks here and
	// give up at the deadline ourselves. Records given up on may still be delivered later.
	done := make(chan error, 1)
	go func() { done <- p.cl.ProduceSync(ctx, ptrs...).FirstErr() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("producing %d records to kafka: %w", len(recs), err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("producing %d records to kafka: not acknowledged in time: %w", len(recs), context.Cause(ctx))
	}
}

// Close waits up to 2 s for records still buffered (only ones a Publish gave up on can be), then
// closes the client.
func (p *Publisher) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = p.cl.Flush(ctx) // Publish waits for its records, so nothing should be left; bounded anyway.
	p.cl.Close()
}

// EnsureTopics creates those of topics that do not exist, with the broker's default partition
// count and replication factor, and waits until the cluster's metadata lists all of them. A topic
// created concurrently by someone else is fine.
func EnsureTopics(ctx context.Context, cl *kgo.Client, topics ...string) error {
	missing, err := missingTopics(ctx, cl, topics)
	if err != nil {
		return err
	}
	if len(missing) == 0 {
		return nil
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = int32(openTimeout.Milliseconds())
	for _, t := range missing {
		rt := kmsg.NewCreateTopicsRequestTopic()
		rt.Topic = t
		rt.NumPartitions = -1     // the broker's num.partitions
		rt.ReplicationFactor = -1 // the broker's default.replication.factor
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("creating topics %s: %w", strings.Join(missing, ", "), err)
	}
	for _, t := range resp.Topics {
		err := kerr.ErrorForCode(t.ErrorCode)
		if err == nil || errors.Is(err, kerr.TopicAlreadyExists) {
			continue
		}
		if t.ErrorMessage != nil {
			err = fmt.Errorf("%w: %s", err, *t.ErrorMessage)
		}
		return fmt.Errorf("creating topic %s: %w", t.Topic, err)
	}
	// Creation is asynchronous on real clusters: wait until every broker we ask knows the topics.
	for {
		missing, err = missingTopics(ctx, cl, topics)
		if err != nil {
			return err
		}
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for created topics %s to appear: %w", strings.Join(missing, ", "), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// missingTopics returns those of topics the cluster's metadata does not list (or lists without a
// leader for every partition yet).
func missingTopics(ctx context.Context, cl *kgo.Client, topics []string) ([]string, error) {
	req := kmsg.NewPtrMetadataRequest()
	req.AllowAutoTopicCreation = false
	for _, t := range topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(t)
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("reading metadata of topics %s: %w", strings.Join(topics, ", "), err)
	}
	ready := make(map[string]bool, len(topics))
	for _, t := range resp.Topics {
		if t.Topic == nil {
			continue
		}
		err := kerr.ErrorForCode(t.ErrorCode)
		switch {
		case err == nil:
			ready[*t.Topic] = len(t.Partitions) > 0 && !slices.ContainsFunc(t.Partitions, func(p kmsg.MetadataResponseTopicPartition) bool {
				return p.Leader < 0
			})
		case errors.Is(err, kerr.UnknownTopicOrPartition), errors.Is(err, kerr.LeaderNotAvailable):
		default:
			return nil, fmt.Errorf("reading metadata of topic %s: %w", *t.Topic, err)
		}
	}
	var missing []string
	for _, t := range topics {
		if !ready[t] {
			missing = append(missing, t)
		}
	}
	return missing, nil
}
