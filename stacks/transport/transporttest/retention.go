package transporttest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unsafe"

	"stacklab/ledgerspec"
	"stacklab/stacks"
	"stacklab/stacks/app"
)

// aliasingCodec models a zero-copy JSON decoder (as sonic is without CopyString): it decodes with
// the registry's std codec, then points every string field of the decoded struct at the bytes
// of the input that hold the same text, so the strings live in the caller's buffer. A transport
// that hands the app a buffer it reuses after the handler returns changes them later.
type aliasingCodec struct{ app.Codec }

func newAliasingCodec() app.Codec { return aliasingCodec{stacks.Codecs["std"]()} }

func (aliasingCodec) Name() string { return "zero-copy model" }

func (c aliasingCodec) Unmarshal(data []byte, v any) error {
	if err := c.Codec.Unmarshal(data, v); err != nil {
		return err
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil
	}
	s := rv.Elem()
	for i := range s.NumField() {
		fv := s.Field(i)
		if fv.Kind() != reflect.String || !fv.CanSet() || fv.Len() == 0 {
			continue
		}
		str := fv.String()
		if j := bytes.Index(data, []byte(str)); j >= 0 {
			fv.SetString(unsafe.String(&data[j], len(str)))
		}
	}
	return nil
}

// checkRetention creates perConn accounts with distinct ids and names on each of conns keep-alive
// connections at once, then checks that the store holds exactly them and that each reads back as
// created. The store keeps the strings it is given, so a string that aliased a buffer the
// transport reused shows up as a changed or missing account.
func checkRetention(f *Fixture, conns, perConn int) error {
	type acct struct{ id, name string }
	want := map[string]acct{}
	batches := make([][]acct, conns)
	for c := range conns {
		for i := range perConn {
			a := acct{id: fmt.Sprintf("r%d-%04d-%s", c, i, strings.Repeat("x", i%23)),
				name: fmt.Sprintf("name %d/%d %s", c, i, strings.Repeat("é", i%37))}
			batches[c] = append(batches[c], a)
			want[a.id] = a
		}
	}
	each := func(do func(c *Conn, a acct) error) error {
		var wg sync.WaitGroup
		errs := make([]error, conns)
		for ci := range conns {
			wg.Go(func() {
				c, err := Dial(f.Addr)
				if err != nil {
					errs[ci] = err
					return
				}
				defer c.Close()
				for _, a := range batches[ci] {
					if err := do(c, a); err != nil {
						errs[ci] = err
						return
					}
				}
			})
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	err := each(func(c *Conn, a acct) error {
		r, err := c.Do(Request("POST", "/api/accounts", account(a.id, "RT", a.name), JSON...), false)
		if err != nil {
			return fmt.Errorf("creating %s: %w", a.id, err)
		}
		if r.Status != 201 {
			return fmt.Errorf("creating %s: status %d: %s", a.id, r.Status, r.Body)
		}
		return nil
	})
	if err != nil {
		return err
	}

	var bad []string
	report := func(format string, args ...any) {
		if len(bad) < 5 {
			bad = append(bad, fmt.Sprintf(format, args...))
		}
	}
	stored := f.Store.Accounts()
	seen := 0
	for _, s := range stored {
		w, ok := want[s.ID]
		switch {
		case !ok:
			report("the store holds an account %q that was never created", s.ID)
		case s.Name != w.name || s.Ledger != "RT":
			report("account %s is stored as (%q, %q), created as (%q, %q)", s.ID, s.Ledger, s.Name, "RT", w.name)
		default:
			seen++
		}
	}
	if seen != len(want) || len(stored) != len(want) {
		report("the store holds %d accounts, %d of them intact; %d were created", len(stored), seen, len(want))
	}
	err = each(func(c *Conn, a acct) error {
		r, err := c.Do(Request("GET", ledgerspec.AccountPath(a.id), nil), false)
		if err != nil {
			return fmt.Errorf("reading %s: %w", a.id, err)
		}
		var got ledgerspec.Account
		if r.Status != 200 || json.Unmarshal(r.Body, &got) != nil || got.ID != a.id || got.Name != a.name {
			report("account %s reads back as %d %s", a.id, r.Status, r.Body)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d accounts over %d keep-alive connections were not kept as created:\n  %s",
			len(want), conns, strings.Join(bad, "\n  "))
	}
	return nil
}
