package services

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// KafkaOptions shape an embedded Kafka broker.
type KafkaOptions struct {
	// Port is the loopback port to listen on; 0 picks a free one.
	Port int
	// Partitions is the partition count of topics created with the broker's default (default 3).
	Partitions int
	// Listener, when set, is the socket the broker serves on (Port is then ignored): a parent
	// process that made it knows the address before the broker starts.
	Listener net.Listener
	// DataDir, when set, keeps the broker's topics and records on disk, so a broker restarted on
	// it has them again, like a real Kafka broker.
	DataDir string
}

// KafkaServer is a Kafka-compatible broker (kfake) running inside this process. A `harness kafka`
// command can host one in its own process, so its CPU time is not charged to whoever runs next to
// it.
type KafkaServer struct {
	cluster *kfake.Cluster
	brokers []string
}

// StartKafka starts a single-broker kfake cluster on loopback. It does not create topics on
// metadata requests: clients create the topics they need, as on a real cluster.
func StartKafka(opt KafkaOptions) (*KafkaServer, error) {
	if opt.Partitions <= 0 {
		opt.Partitions = 3
	}
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(opt.Port), kfake.DefaultNumPartitions(opt.Partitions),
		kfake.ClusterID("stacklab")}
	if opt.Listener != nil {
		ln := opt.Listener
		opts = append(opts, kfake.ListenFn(func(string, string) (net.Listener, error) { return ln, nil }))
	}
	if opt.DataDir != "" {
		opts = append(opts, kfake.DataDir(opt.DataDir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("starting embedded kafka (kfake) on 127.0.0.1:%d: %w", opt.Port, err)
	}
	return &KafkaServer{cluster: c, brokers: c.ListenAddrs()}, nil
}

// Brokers returns the broker addresses, host:port.
func (k *KafkaServer) Brokers() []string { return append([]string(nil), k.brokers...) }

// Close stops the broker; its records are gone.
func (k *KafkaServer) Close() { k.cluster.Close() }

// KfakeVersion names the embedded broker with the kfake module version built into this binary
// (test binaries do not record module versions).
func KfakeVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "github.com/twmb/franz-go/pkg/kfake" {
				return "kfake " + m.Version
			}
		}
	}
	return "kfake (version not recorded in this binary)"
}

// ProbeKafka checks within timeout that a broker answers and guesses its Kafka version from the
// API versions it supports.
func ProbeKafka(ctx context.Context, brokers []string, timeout time.Duration) (string, error) {
	if len(brokers) == 0 {
		return "", errors.New("no broker address given")
	}
	where := strings.Join(brokers, ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DialTimeout(timeout), kgo.ClientID("stacklab-harness"))
	if err != nil {
		return "", fmt.Errorf("kafka brokers %s: %w", where, err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := cl.Ping(ctx); err != nil {
		return "", fmt.Errorf("no kafka broker at %s answered within %v: %w", where, timeout, err)
	}
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctx, cl)
	if err != nil {
		return "", fmt.Errorf("asking kafka at %s for its API versions: %w", where, err)
	}
	return "Kafka " + kversion.FromApiVersionsResponse(resp).VersionGuess(), nil
}
