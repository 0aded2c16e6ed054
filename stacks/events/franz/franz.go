package franz

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"stacklab/ledgerspec"
	"stacklab/stacks/events"
)

const (
	// dialTimeout bounds connecting to a broker.
	dialTimeout = 5 * time.Second
	// createTimeout is how long the broker may take to create the topics.
	createTimeout = 5 * time.Second
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

// stuckCheck is how long a Publish waits for acknowledgements before it checks, and checks again
// at that interval, whether the topics it produces to are still there (see Publish).
const stuckCheck = time.Second

// errTopicsLost is a Publish's error when the broker no longer has the topic instances the client
// produces to.
var errTopicsLost = errors.New("the broker lost the topics this client produced to, or they were recreated")

// Publisher is an events.Publisher on a franz-go client. It is safe for concurrent use.
type Publisher struct {
	opts  []kgo.Opt
	where string

	mu     sync.Mutex
	cl     *kgo.Client
	ready  bool               // the topics are known to exist as ids says
	ids    map[string]topicID // the topic instances cl produces to; nil before the first prepare
	closed bool
}

// topicID identifies one instance of a topic (zero from brokers without topic ids).
type topicID = [16]byte

var _ events.Publisher = (*Publisher)(nil)

// Open makes the client without connecting: franz-go dials a broker when a request needs one, so
// Open succeeds while the brokers are down (it fails for a missing or malformed address). The
// topics are made sure of by the first Publish, and again after a failed one.
func Open(_ context.Context, cfg Config) (*Publisher, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("opening kafka publisher: no broker address given")
	}
	id := cfg.ClientID
	if id == "" {
		id = "stacklab"
	}
	p := &Publisher{where: strings.Join(cfg.Brokers, ","), opts: []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ClientID(id),
		kgo.DialTimeout(dialTimeout),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		// The relay hands over whole batches and waits for them: lingering only adds latency.
		kgo.ProducerLinger(0),
		kgo.RecordDeliveryTimeout(deliveryTimeout),
		// Let the caller's deadline fail records already sent to a broker that stopped answering;
		// the cost is a possible duplicate on retry, which at-least-once delivery accepts.
		kgo.AllowIdempotentProduceCancellation(),
	}}
	cl, err := kgo.NewClient(p.opts...)
	if err != nil {
		return nil, fmt.Errorf("opening kafka publisher for %s: %w", p.where, err)
	}
	p.cl = cl
	return p, nil
}

// Publish sends recs and returns once the broker acknowledged all of them, or the first error, or
// an error when ctx ends first. Records it gave up on at the end of ctx may still reach the broker
// afterwards, so Publish keeps references to their keys and values: the caller must not change them.
//
// Before producing, when the topics are not known to exist (the first Publish, or any after a
// failed one), it makes sure they do (EnsureTopics). When the topics are not the instances this
// client produced to (the broker lost them: a restart without its storage; or they were deleted
// and created again, by this publisher or anyone), the client knows the old instances by their
// topic ids and, as franz-go's README says of recreated topics, would refuse to produce to the
// new ones: Publish replaces it with a fresh client first. A Publish still waiting for its
// acknowledgements after a second checks every second that its topics are still there, and fails
// at once when they are not, so the next one can recover.
func (p *Publisher) Publish(ctx context.Context, recs []events.Record) error {
	if len(recs) == 0 {
		return nil
	}
	cl, err := p.prepare(ctx)
	if err != nil {
		return err
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
	go func() { done <- cl.ProduceSync(ctx, ptrs...).FirstErr() }()
	check := time.NewTicker(stuckCheck)
	defer check.Stop()
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-ctx.Done():
			err = fmt.Errorf("not acknowledged in time: %w", context.Cause(ctx))
			break wait
		case <-check.C:
			if p.lost(ctx, cl) {
				err = errTopicsLost
				break wait
			}
		}
	}
	if err != nil {
		p.unsure(cl)
		return fmt.Errorf("producing %d records to kafka at %s: %w", len(recs), p.where, err)
	}
	return nil
}

// prepare returns the client to produce with, after making sure of the topics when they are not
// known to exist, and replacing the client when they are not the instances it produced to.
func (p *Publisher) prepare(ctx context.Context) (*kgo.Client, error) {
	p.mu.Lock()
	cl, ready, closed := p.cl, p.ready, p.closed
	p.mu.Unlock()
	switch {
	case closed:
		return nil, errors.New("publishing to kafka: publisher closed")
	case ready:
		return cl, nil
	}
	ids, created, err := ensureTopics(ctx, cl, Topics...)
	if err != nil {
		return nil, fmt.Errorf("publishing to kafka at %s: %w", p.where, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errors.New("publishing to kafka: publisher closed")
	}
	if p.cl != cl { // another Publish replaced it meanwhile
		return p.cl, nil
	}
	if p.ids != nil && (len(created) > 0 || changed(p.ids, ids)) {
		fresh, err := kgo.NewClient(p.opts...)
		if err != nil {
			return nil, fmt.Errorf("publishing to kafka at %s: a new client for the recreated topics: %w", p.where, err)
		}
		// Records of the old client were failed to their Publish, whose caller retries them.
		go cl.Close()
		p.cl = fresh
	}
	p.ready, p.ids = true, ids
	return p.cl, nil
}

// lost reports whether the broker says the topics are missing or other instances than those cl
// produces to. It says false when it cannot tell (no broker answers).
func (p *Publisher) lost(ctx context.Context, cl *kgo.Client) bool {
	p.mu.Lock()
	known, current := p.ids, p.cl == cl
	p.mu.Unlock()
	if !current {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, stuckCheck)
	defer cancel()
	ids, missing, err := topicState(ctx, cl, Topics)
	return err == nil && (len(missing) > 0 || changed(known, ids))
}

// changed reports whether a topic of both maps has another (known, non-zero) id in now.
func changed(before, now map[string]topicID) bool {
	var zero topicID
	for t, id := range before {
		if n, ok := now[t]; ok && id != zero && n != zero && n != id {
			return true
		}
	}
	return false
}

// unsure makes the next Publish check the topics, unless cl was replaced already.
func (p *Publisher) unsure(cl *kgo.Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cl == cl {
		p.ready = false
	}
}

// Close waits up to 2 s for records still buffered (only ones a Publish gave up on can be), then
// closes the client.
func (p *Publisher) Close() {
	p.mu.Lock()
	cl, closed := p.cl, p.closed
	p.closed = true
	p.mu.Unlock()
	if closed {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = cl.Flush(ctx) // Publish waits for its records, so nothing should be left; bounded anyway.
	cl.Close()
}

// EnsureTopics creates those of topics that do not exist, with the broker's default partition
// count and replication factor, and waits until the cluster's metadata lists all of them. A topic
// created concurrently by someone else is fine.
func EnsureTopics(ctx context.Context, cl *kgo.Client, topics ...string) error {
	_, _, err := ensureTopics(ctx, cl, topics...)
	return err
}

// ensureTopics is EnsureTopics; it returns the ids of the topics and which ones it created.
func ensureTopics(ctx context.Context, cl *kgo.Client, topics ...string) (ids map[string]topicID, created []string, err error) {
	ids, missing, err := topicState(ctx, cl, topics)
	if err != nil || len(missing) == 0 {
		return ids, nil, err
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = int32(createTimeout.Milliseconds())
	for _, t := range missing {
		rt := kmsg.NewCreateTopicsRequestTopic()
		rt.Topic = t
		rt.NumPartitions = -1     // the broker's num.partitions
		rt.ReplicationFactor = -1 // the broker's default.replication.factor
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, nil, fmt.Errorf("creating topics %s: %w", strings.Join(missing, ", "), err)
	}
	for _, t := range resp.Topics {
		err := kerr.ErrorForCode(t.ErrorCode)
		if err == nil {
			created = append(created, t.Topic)
		}
		if err == nil || errors.Is(err, kerr.TopicAlreadyExists) {
			continue
		}
		if t.ErrorMessage != nil {
			err = fmt.Errorf("%w: %s", err, *t.ErrorMessage)
		}
		return nil, nil, fmt.Errorf("creating topic %s: %w", t.Topic, err)
	}
	// Creation is asynchronous on real clusters: wait until every broker we ask knows the topics.
	for {
		ids, missing, err = topicState(ctx, cl, topics)
		if err != nil {
			return nil, nil, err
		}
		if len(missing) == 0 {
			return ids, created, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("waiting for created topics %s to appear: %w", strings.Join(missing, ", "), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// topicState reads the ids of those of topics the cluster's metadata lists with a leader for
// every partition, and lists the others as missing.
func topicState(ctx context.Context, cl *kgo.Client, topics []string) (map[string]topicID, []string, error) {
	req := kmsg.NewPtrMetadataRequest()
	req.AllowAutoTopicCreation = false
	for _, t := range topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(t)
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, nil, fmt.Errorf("reading metadata of topics %s: %w", strings.Join(topics, ", "), err)
	}
	ids := make(map[string]topicID, len(topics))
	for _, t := range resp.Topics {
		if t.Topic == nil {
			continue
		}
		err := kerr.ErrorForCode(t.ErrorCode)
		switch {
		case err == nil:
			if len(t.Partitions) > 0 && !slices.ContainsFunc(t.Partitions, func(p kmsg.MetadataResponseTopicPartition) bool {
				return p.Leader < 0
			}) {
				ids[*t.Topic] = t.TopicID
			}
		case errors.Is(err, kerr.UnknownTopicOrPartition), errors.Is(err, kerr.LeaderNotAvailable):
		default:
			return nil, nil, fmt.Errorf("reading metadata of topic %s: %w", *t.Topic, err)
		}
	}
	var missing []string
	for _, t := range topics {
		if _, ok := ids[t]; !ok {
			missing = append(missing, t)
		}
	}
	return ids, missing, nil
}
