package goredis_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"stacklab/stacks/cache/goredis"
)

func ExampleOpen() {
	ctx := context.Background()
	c, err := goredis.Open(ctx, goredis.Config{URL: "redis://127.0.0.1:6379/0", Prefix: "ledger:run-42:"})
	if err != nil {
		log.Fatal(err) // e.g. goredis: Redis at 127.0.0.1:6379 does not answer: …
	}
	defer c.Close()
	// tx-1 debits two accounts: how many transactions debited each within the last minute?
	counts, err := c.CountDebits(ctx, "tx-1", []string{"acc-alice", "acc-bob"}, time.Now(), time.Minute, 64)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(counts)
}
