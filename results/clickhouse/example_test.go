package clickhouse_test

import (
	"context"
	"fmt"
	"log"

	"stacklab/results/clickhouse"
	"stacklab/results/spool"
)

func ExampleParseURL() {
	for _, s := range []string{"127.0.0.1:9000", "clickhouse://lab:secret@ch.internal/benchmarks"} {
		cfg, err := clickhouse.ParseURL(s)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %q %q\n", cfg.Addr, cfg.Database, cfg.User)
	}
	// Output:
	// 127.0.0.1:9000 "" ""
	// ch.internal:9000 "benchmarks" "lab"
}

// Publishing what the spool holds to the ClickHouse CLICKHOUSE_URL names, as `harness publish`
// does: every spooled run not yet there goes in, once. (The harness's embedded server, for runs
// without CLICKHOUSE_URL, is stacklab/harness/services.StartClickHouse.)
func Example() {
	ctx := context.Background()
	sp, err := spool.Open("results/spool")
	if err != nil {
		log.Fatal(err)
	}
	cfg, ok, err := clickhouse.ConfigFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	if !ok {
		fmt.Println("no CLICKHOUSE_URL: runs stay in the spool")
		return
	}
	sink, err := clickhouse.Open(ctx, cfg)
	if err != nil {
		log.Printf("ClickHouse unreachable, runs stay in the spool: %v", err)
		return
	}
	defer sink.Close()
	n, err := clickhouse.PublishPending(ctx, sp, sink, func(id string, published bool) {
		fmt.Println(id, map[bool]string{true: "published", false: "already there"}[published])
	})
	if err != nil {
		log.Print(err)
	}
	fmt.Printf("%d runs published to %s\n", n, sink)
}
