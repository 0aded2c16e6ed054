package sqlboilerstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"stacklab/stacks/app"
	sqlboilerstore "stacklab/stacks/store/sqlboiler"
)

// Open connects, checks the server and applies the shared schema; the store then serves the app.
func ExampleOpen() {
	ctx := context.Background()
	s, err := sqlboilerstore.Open(ctx, sqlboilerstore.Config{
		DSN:      "postgres://postgres@127.0.0.1:5432/ledger?sslmode=disable",
		MaxConns: 16,
	})
	if err != nil {
		log.Fatal(err) // e.g. "connecting to PostgreSQL at 127.0.0.1:5432/ledger: …" within seconds
	}
	defer s.Close()
	acct, created, err := s.CreateAccount(ctx, app.AccountRecord{
		ID: "alice", Ledger: "USD", Name: "Alice", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(acct.ID, created)
}
