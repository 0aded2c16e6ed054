package dberr

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"stacklab/stacks/app"
)

// Unavailable reports whether err says that PostgreSQL could not be reached (see the package doc).
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, app.ErrUnavailable) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return serverUnavailable(pgErr.Code)
	}
	var (
		connectErr *pgconn.ConnectError
		netErr     net.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		pgconn.Timeout(err),
		errors.As(err, &connectErr),
		errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone):
		return true
	}
	// pgconn's errors about a connection that is already closed (or broke under an earlier call)
	// promise that nothing was sent; every other error pgconn makes before sending is a context's.
	return pgconn.SafeToRetry(err)
}

// serverUnavailable reports whether a server error's SQLSTATE means the server cannot serve the
// connection: a connection exception (class 08), an operator or crash shutdown or a server not yet
// accepting connections (57P01–57P03), or too many connections (53300).
func serverUnavailable(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"):
		return true
	case code == "57P01", code == "57P02", code == "57P03", code == "53300":
		return true
	}
	return false
}

// Classify returns err marked as app.ErrUnavailable when Unavailable(err), else err unchanged. The
// marked error keeps err's text and chain: "database unavailable: <err>".
func Classify(err error) error {
	if err == nil || errors.Is(err, app.ErrUnavailable) || !Unavailable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", app.ErrUnavailable, err)
}

// Mark classifies *err in place; a store defers it in each of its methods:
//
//	func (s *Store) Account(ctx context.Context, id string) (_ app.AccountRecord, err error) {
//		defer dberr.Mark(&err)
func Mark(err *error) { *err = Classify(*err) }
