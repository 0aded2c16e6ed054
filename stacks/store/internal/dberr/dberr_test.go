package dberr

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"stacklab/stacks/app"
)

func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"no rows", pgx.ErrNoRows, false},
		{"not found", fmt.Errorf("account %q: %w", "a", app.ErrNotFound), false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"check violation", &pgconn.PgError{Code: "23514"}, false},
		{"syntax", &pgconn.PgError{Code: "42601"}, false},
		{"serialization", &pgconn.PgError{Code: "40001"}, false},
		{"plain error", errors.New("something else"), false},
		{"admin shutdown (pg_terminate_backend)", &pgconn.PgError{Code: "57P01"}, true},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, true},
		{"cannot connect now", &pgconn.PgError{Code: "57P03"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"refused", refused, true},
		{"reset", fmt.Errorf("reading: %w", syscall.ECONNRESET), true},
		{"broken pipe", fmt.Errorf("writing: %w", syscall.EPIPE), true},
		{"unexpected EOF", fmt.Errorf("reading: %w", io.ErrUnexpectedEOF), true},
		{"EOF", io.EOF, true},
		{"deadline", fmt.Errorf("posting: %w", context.DeadlineExceeded), true},
		{"cancelled", context.Canceled, true},
		{"bad conn", driver.ErrBadConn, true},
		{"conn done", sql.ErrConnDone, true},
		{"already marked", fmt.Errorf("x: %w", app.ErrUnavailable), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Unavailable(tt.err); got != tt.want {
				t.Errorf("Unavailable(%v) = %v, want %v", tt.err, got, tt.want)
			}
			wrapped := fmt.Errorf("reading account %q: %w", "a", tt.err)
			if tt.err == nil {
				wrapped = nil
			}
			got := Classify(wrapped)
			if is := errors.Is(got, app.ErrUnavailable); is != tt.want {
				t.Errorf("errors.Is(Classify(%v), ErrUnavailable) = %v, want %v", wrapped, is, tt.want)
			}
			if wrapped != nil && !errors.Is(got, tt.err) {
				t.Errorf("Classify(%v) = %v lost the cause from its chain", wrapped, got)
			}
			if !tt.want && got != wrapped {
				t.Errorf("Classify changed an error it does not mark: %v → %v", wrapped, got)
			}
		})
	}
}

func TestClassifyKeepsTheText(t *testing.T) {
	err := Classify(fmt.Errorf("reading account %q: %w", "a", syscall.ECONNREFUSED))
	if want := `database unavailable: reading account "a": connection refused`; err.Error() != want {
		t.Errorf("text %q, want %q", err, want)
	}
	if again := Classify(err); again != err {
		t.Errorf("Classify of a marked error wrapped it again: %v", again)
	}
	var marked error = errors.New("x")
	Mark(&marked)
	if errors.Is(marked, app.ErrUnavailable) {
		t.Error("Mark marked an ordinary error")
	}
}
