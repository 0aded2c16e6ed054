package services

import (
	"context"
	"os"
	"testing"
)

// How long the lab waits for each embedded server: from nothing to answering queries, then
// stopped and removed. Run with a small -benchtime, such as 3x.

func BenchmarkStartEmbeddedPostgres(b *testing.B) {
	for b.Loop() {
		pg, err := startPostgres(context.Background(), os.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := pg.close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func BenchmarkStartEmbeddedRedis(b *testing.B) {
	for b.Loop() {
		r, err := startRedis(context.Background(), os.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := r.close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func BenchmarkStartKafka(b *testing.B) {
	for b.Loop() {
		k, err := StartKafka(KafkaOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ProbeKafka(context.Background(), k.Brokers(), probeTimeout); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		k.Close()
		b.StartTimer()
	}
}
