// Package cache holds the lab's app.Cache parts, one package per Redis client: goredis
// (github.com/redis/go-redis/v9), rueidis (github.com/redis/rueidis) and redigo
// (github.com/gomodule/redigo). They send the same protocol, written once in redisproto (keys, the
// velocity commands, the put script, entry encoding, validation and error texts), so they differ
// only in the client library. Each passes parttest/cachetest; this package's tests check, for
// every cache in stacks.Caches, what only the wire shows (key layout, one round trip per call,
// an Open that never waits for Redis; outages are cachetest's), and its benchmark measures them side by side.
package cache
