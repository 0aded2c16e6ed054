package spool_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"stacklab/results"
	"stacklab/results/spool"
)

func Example() {
	dir, err := os.MkdirTemp("", "spool-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	sp, err := spool.Open(filepath.Join(dir, "runs"))
	if err != nil {
		log.Fatal(err)
	}
	run := results.NewRun("20261124T101500Z-3f9a2c", time.Date(2026, 11, 24, 10, 15, 0, 0, time.UTC))
	path, err := sp.Write(run)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(path))

	sink := spool.SinkName("clickhouse 127.0.0.1:9000/stacklab")
	if err := sp.MarkPublished(run.ID, sink); err != nil {
		log.Fatal(err)
	}
	list, err := sp.List()
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range list {
		fmt.Println(e.ID, e.Started.Format(time.RFC3339), e.Published)
	}
	// Output:
	// 20261124T101500Z-3f9a2c.json
	// 20261124T101500Z-3f9a2c 2026-11-24T10:15:00Z [clickhouse_127.0.0.1_9000_stacklab]
}
