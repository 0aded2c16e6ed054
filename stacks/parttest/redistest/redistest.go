package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// DefaultURL is used when REDIS_URL is not set.
const DefaultURL = "redis://127.0.0.1:6379/0"

// pingTimeout bounds the reachability check, so a test fails quickly instead of hanging.
const pingTimeout = 3 * time.Second

// URL returns REDIS_URL, or DefaultURL when it is unset, after checking that Redis answers a PING.
// It fails the test when Redis is unreachable.
func URL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = DefaultURL
	}
	rdb, err := client(url)
	if err != nil {
		t.Fatalf("redistest: REDIS_URL %q: %v", url, err)
	}
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("redistest: Redis at %s is unreachable: %v\n"+
			"start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no"+
			" (or set REDIS_URL)", url, err)
	}
	return url
}

// Prefix returns a fresh random key prefix ("test:<16 hex digits>:") and registers a cleanup that
// deletes every key starting with it when the test ends.
func Prefix(t testing.TB) string {
	t.Helper()
	url := URL(t)
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("redistest: random prefix: %v", err)
	}
	prefix := "test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		if err := DeletePrefix(context.Background(), url, prefix); err != nil {
			t.Errorf("redistest: %v", err)
		}
	})
	return prefix
}

// DeletePrefix deletes every key of the Redis at url that starts with prefix. The prefix must not
// hold glob characters (*?[]\).
func DeletePrefix(ctx context.Context, url, prefix string) error {
	rdb, err := client(url)
	if err != nil {
		return fmt.Errorf("deleting keys %s*: %w", prefix, err)
	}
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		err := rdb.Unlink(ctx, keys...).Err()
		keys = keys[:0]
		return err
	}
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 1000 {
			if err := flush(); err != nil {
				return fmt.Errorf("deleting keys %s*: %w", prefix, err)
			}
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("scanning keys %s*: %w", prefix, err)
	}
	if err := flush(); err != nil {
		return fmt.Errorf("deleting keys %s*: %w", prefix, err)
	}
	return nil
}

// Client returns a go-redis client for url, for tests that look at keys directly. The test closes
// it at its end.
func Client(t testing.TB, url string) *redis.Client {
	t.Helper()
	rdb, err := client(url)
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func client(url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parsing Redis URL: %w", err)
	}
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return redis.NewClient(opt), nil
}
