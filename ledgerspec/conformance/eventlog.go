package conformance

import "context"

// Event is one message read back from a topic.
type Event struct {
	Key   []byte
	Value []byte
}

// EventLog reads a broker's topics for the events checks. Package kafkalog implements it with
// franz-go; this package stays free of any broker client.
type EventLog interface {
	// Records returns every record of topic from its beginning up to its end at the time of the
	// call (an empty slice for a topic that does not exist yet).
	Records(ctx context.Context, topic string) ([]Event, error)
}
