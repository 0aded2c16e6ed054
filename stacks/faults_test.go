package stacks_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"stacklab/ledgerspec"
	"stacklab/ledgerspec/conformance/kafkalog"
	"stacklab/stacks/app"
	"stacklab/stacks/parttest/pgtest"
	"stacklab/stacks/parttest/redistest"
)

// The tests of this file take a service away from a running stack of the baseline (real
// PostgreSQL, real Redis behind a redistest.Proxy or a redis-server of the test's own, kfake) and
// hold the stack to the contract's "When a service fails".

// outcome is what one transfer of a traffic stream got.
type outcome struct {
	id         string
	start, end time.Time
	status     int // 0: no HTTP answer
	code       ledgerspec.Code
	flags      []string
	err        error
}

func (o outcome) took() time.Duration { return o.end.Sub(o.start) }

// traffic posts transfers of 1 from src to dst on workers goroutines, ids prefix-<worker>-<n>,
// until the returned stop is called; stop returns every outcome. A worker waits 20 ms after a
// transfer that was not answered 201.
func traffic(c *ledgerspec.Client, prefix, src, dst string, workers int) (stop func() []outcome) {
	var (
		mu   sync.Mutex
		outs []outcome
		wg   sync.WaitGroup
	)
	done := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				o := outcome{id: fmt.Sprintf("%s-%d-%d", prefix, w, i), start: time.Now()}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				tx, reply, err := c.Transfer(ctx, o.id, src, dst, 1)
				cancel()
				o.end, o.err = time.Now(), err
				if reply != nil {
					o.status = reply.Status
				}
				if err == nil {
					o.flags = tx.RiskFlags
				} else {
					o.code = ledgerspec.CodeOf(err)
				}
				mu.Lock()
				outs = append(outs, o)
				mu.Unlock()
				if o.status != 201 {
					time.Sleep(20 * time.Millisecond) // a client backs off after a failure
				}
			}
		})
	}
	return func() []outcome {
		close(done)
		wg.Wait()
		return outs
	}
}

// span is a window of the traffic: [from, to).
type span struct{ from, to time.Time }

// within lists the outcomes that started and ended inside s.
func within(outs []outcome, s span) []outcome {
	var in []outcome
	for _, o := range outs {
		if !o.start.Before(s.from) && o.end.Before(s.to) {
			in = append(in, o)
		}
	}
	return in
}

func maxTook(outs []outcome) time.Duration {
	var m time.Duration
	for _, o := range outs {
		m = max(m, o.took())
	}
	return m
}

func flagged(o outcome) bool { return slices.Contains(o.flags, ledgerspec.RiskVelocityUnchecked) }

// settled is how long after a service came back the last outcome that still shows the outage
// (failing says whether one does) started; 0 when none does.
func settled(outs []outcome, back time.Time, failing func(outcome) bool) time.Duration {
	var last time.Duration
	for _, o := range outs {
		if d := o.start.Sub(back); d > last && failing(o) {
			last = d
		}
	}
	return last
}

// committedIDs lists the outcomes answered 201.
func committedIDs(outs []outcome) map[string]bool {
	ids := map[string]bool{}
	for _, o := range outs {
		if o.status == 201 {
			ids[o.id] = true
		}
	}
	return ids
}

// waitForTopic polls topic until it holds every id of ids, or fails the test after 20 s.
func waitForTopic(t *testing.T, log *kafkalog.Log, topic string, ids map[string]bool) time.Duration {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		recs, err := log.Records(ctx, topic)
		if err != nil {
			t.Fatalf("reading %s: %v", topic, err)
		}
		seen := map[string]bool{}
		for _, r := range recs {
			seen[string(r.Key)] = true
		}
		missing := 0
		for id := range ids {
			if !seen[id] {
				missing++
			}
		}
		if missing == 0 {
			return time.Since(start)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d of %d transactions never reached %s", missing, len(ids), topic)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// wantDebits reads an account through the API and requires its debits_posted.
func wantDebits(t *testing.T, c *ledgerspec.Client, id string, want int64, what string) {
	t.Helper()
	acc, _, err := c.Account(context.Background(), id)
	if err != nil {
		t.Fatalf("%s: reading %s: %v", what, id, err)
	}
	if acc.DebitsPosted != want {
		t.Fatalf("%s: %s has debits_posted %d, want %d (a stale read after a committed write)", what, id, acc.DebitsPosted, want)
	}
}

// TestRedisOutageUnderLoad cuts Redis off a stack for 3 s under a stream of transfers, as a
// refused connection (Redis down) and as silence (Redis paused or partitioned): every transfer
// commits, those made during the cut carry velocity_unchecked, none waits much longer than the
// cache deadline, the flags stop soon after Redis is back, every transaction is published (the
// flagged ones also as alerts), and the debited account reads back every transfer.
func TestRedisOutageUnderLoad(t *testing.T) {
	for _, mode := range []struct {
		name       string
		cut, heal  func(*redistest.Proxy)
		maxLatency time.Duration // of a transfer during the cut
	}{
		{"refused", (*redistest.Proxy).Down, (*redistest.Proxy).Up, time.Second},
		{"silent", (*redistest.Proxy).Pause, (*redistest.Proxy).Resume, time.Second},
	} {
		t.Run(mode.name, func(t *testing.T) {
			svc := newServices(t)
			p := redistest.NewProxy(t, svc.cfg.RedisURL)
			cfg := svc.cfg
			cfg.RedisURL = p.URL()
			cfg.VelocityLimit = 1 << 30 // only velocity_unchecked may flag these transfers
			st := start(t, defaultSpec, cfg)
			c := ledgerspec.NewClient(st.url, nil)
			src, dst := setupLedger(t, c, "RCUT")
			// Warm up: the cache's client dials its connections on demand, and on a loaded
			// machine a cold start (dial and handshake through the proxy, eight at once) can
			// exceed the 250 ms deadline and flag the first transfers, truthfully.
			warm := traffic(c, "warm", src, dst, 8)
			time.Sleep(500 * time.Millisecond)
			warmed := len(warm())

			stop := traffic(c, "rcut", src, dst, 8)
			time.Sleep(time.Second)
			cutAt := time.Now()
			mode.cut(p)
			time.Sleep(3 * time.Second)
			backAt := time.Now()
			mode.heal(p)
			time.Sleep(3 * time.Second)
			outs := stop()

			before, during, after := within(outs, span{time.Time{}, cutAt}), within(outs, span{cutAt, backAt}),
				within(outs, span{backAt, time.Now()})
			for _, o := range outs {
				if o.status != 201 {
					t.Fatalf("transfer %s: status %d (%v) after %v; every transfer must commit", o.id, o.status, o.err, o.took())
				}
			}
			for _, o := range before {
				if len(o.flags) != 0 {
					t.Errorf("transfer %s before the cut has flags %v", o.id, o.flags)
				}
			}
			nFlagged := 0
			for _, o := range during {
				if !flagged(o) {
					t.Errorf("transfer %s during the cut has flags %v, want velocity_unchecked", o.id, o.flags)
				}
			}
			for _, o := range outs {
				if flagged(o) {
					nFlagged++
				}
			}
			if len(during) == 0 {
				t.Fatal("no transfer was made during the cut")
			}
			if m := maxTook(during); m > mode.maxLatency {
				t.Errorf("a transfer during the cut took %v, want at most %v", m, mode.maxLatency)
			}
			recovered := settled(after, backAt, flagged)
			if recovered > 2*time.Second {
				t.Errorf("transfers were still flagged velocity_unchecked %v after Redis came back", recovered)
			}
			t.Logf("%d transfers, all 201: %d before the cut, %d during (all velocity_unchecked, slowest %v), %d after; "+
				"%d flagged in all; the last flagged one started %v after Redis came back; slowest before the cut %v",
				len(outs), len(before), len(during), maxTook(during).Round(time.Millisecond), len(after),
				nFlagged, recovered.Round(time.Millisecond), maxTook(before).Round(time.Millisecond))

			wantDebits(t, c, src, int64(warmed+len(outs)), "after the outage")
			log := eventLog(t, svc.cfg.KafkaBrokers)
			waitForTopic(t, log, ledgerspec.TopicTransactions, committedIDs(outs))
			alerts := map[string]bool{}
			for _, o := range outs {
				if flagged(o) {
					alerts[o.id] = true
				}
			}
			waitForTopic(t, log, ledgerspec.TopicAlerts, alerts)
		})
	}
}

// redisCut is one way a test takes Redis away from a stack and brings it back with its data.
type redisCut struct {
	name      string
	url       func(t *testing.T, shared string) (url string, cut, heal func())
	restarted bool // the stack is restarted while Redis is away
}

var redisCuts = []redisCut{
	{name: "proxy paused", url: func(t *testing.T, shared string) (string, func(), func()) {
		p := redistest.NewProxy(t, shared)
		return p.URL(), p.Pause, p.Resume
	}},
	{name: "proxy down", url: func(t *testing.T, shared string) (string, func(), func()) {
		p := redistest.NewProxy(t, shared)
		return p.URL(), p.Down, p.Up
	}},
	{name: "redis-server SIGSTOP", url: func(t *testing.T, _ string) (string, func(), func()) {
		s := redistest.StartServer(t)
		return s.URL(), s.Stop, s.Continue
	}},
	{name: "redis-server SIGSTOP, stack restarted", restarted: true, url: func(t *testing.T, _ string) (string, func(), func()) {
		s := redistest.StartServer(t)
		return s.URL(), s.Stop, s.Continue
	}},
}

// TestReadYourWritesAcrossARedisPartition: write v1 (and read it, so it is cached), cut Redis off,
// write v2 (its write-through fails), bring Redis back with the data it kept (v1 among it), read:
// v2, never v1. Also when the stack restarts while Redis is away.
func TestReadYourWritesAcrossARedisPartition(t *testing.T) {
	for _, rc := range redisCuts {
		t.Run(rc.name, func(t *testing.T) {
			svc := newServices(t)
			cfg := svc.cfg
			var cut, heal func()
			cfg.RedisURL, cut, heal = rc.url(t, svc.cfg.RedisURL)
			st := start(t, defaultSpec, cfg)
			c := ledgerspec.NewClient(st.url, nil)
			src, dst := setupLedger(t, c, "RYW")
			ctx := context.Background()
			if _, _, err := c.Transfer(ctx, "ryw-1", src, dst, 1); err != nil {
				t.Fatal(err)
			}
			for range 3 { // the copy is cached (written through, and read)
				wantDebits(t, c, src, 1, "v1")
			}
			rdb := redistest.Client(t, cfg.RedisURL)
			keys, err := rdb.Keys(ctx, cfg.RedisPrefix+"acc:*:"+src).Result()
			if err != nil || len(keys) != 1 {
				t.Fatalf("the account entry of %s before the cut: %v (%v), want one", src, keys, err)
			}

			cut()
			tx, _, err := c.Transfer(ctx, "ryw-2", src, dst, 1)
			if err != nil {
				t.Fatalf("transfer while Redis is away: %v", err)
			}
			if !slices.Equal(tx.RiskFlags, []string{ledgerspec.RiskVelocityUnchecked}) {
				t.Errorf("transfer while Redis is away has flags %v, want [velocity_unchecked]", tx.RiskFlags)
			}
			wantDebits(t, c, src, 2, "v2 while Redis is away")
			if rc.restarted {
				if err := st.stop(); err != nil {
					t.Fatalf("stopping the stack: %v", err)
				}
				st = start(t, defaultSpec, cfg) // opens while Redis is away
				c = ledgerspec.NewClient(st.url, nil)
			}
			heal()
			// Redis answers again with v1 still stored; whatever the stack reads or writes back
			// now, it must never serve v1.
			deadline := time.Now().Add(3 * time.Second)
			for time.Now().Before(deadline) {
				wantDebits(t, c, src, 2, "v2 after Redis came back")
				time.Sleep(50 * time.Millisecond)
			}
			// What Redis holds under the entry's old name: v1, or v2 when the put that timed out
			// during the cut reached Redis after it (a paused Redis runs what was sent to it).
			old, err := rdb.Get(ctx, keys[0]).Result()
			_, rest, _ := strings.Cut(old, `"debits_posted":`)
			n, _, _ := strings.Cut(rest, ",")
			t.Logf("after the cut Redis holds debits_posted %s under the entry's old name %s (%v); the stack reads another",
				n, keys[0], err)
			// And the cache serves again: a third write, read back many times.
			if _, _, err := c.Transfer(ctx, "ryw-3", src, dst, 1); err != nil {
				t.Fatal(err)
			}
			for range 10 {
				wantDebits(t, c, src, 3, "v3")
			}
		})
	}
}

// TestKafkaOutage takes the broker away from a stack under a stream of transfers, and brings it
// back without its topics (kfake restarted without storage, on the same port: the stack's
// publisher must create the topics again and replace its client): commits go on while it is away
// and every one made from then on is published once it is back, without a restart.
func TestKafkaOutage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(port)}
	broker, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	svc := newServices(t)
	cfg := svc.cfg
	cfg.KafkaBrokers = broker.ListenAddrs()
	st := start(t, defaultSpec, cfg)
	c := ledgerspec.NewClient(st.url, nil)
	src, dst := setupLedger(t, c, "KCUT")

	stop := traffic(c, "kbefore", src, dst, 4)
	time.Sleep(500 * time.Millisecond)
	before := stop()
	log := eventLog(t, cfg.KafkaBrokers)
	waitForTopic(t, log, ledgerspec.TopicTransactions, committedIDs(before))
	log.Close()

	broker.Close()
	stop = traffic(c, "kduring", src, dst, 4)
	time.Sleep(2 * time.Second)
	broker, err = kfake.NewCluster(opts...) // back, without the topics and records it had
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	backAt := time.Now()
	time.Sleep(time.Second)
	during := stop()
	for _, o := range append(slices.Clone(before), during...) {
		if o.status != 201 {
			t.Fatalf("transfer %s: status %d (%v); commits must go on while Kafka is away", o.id, o.status, o.err)
		}
	}
	waitForTopic(t, eventLog(t, cfg.KafkaBrokers), ledgerspec.TopicTransactions, committedIDs(during))
	t.Logf("%d transfers before the broker went, %d while it was away or just back, all 201; all on the recreated topic %v after it came back",
		len(before), len(during), time.Since(backAt).Round(100*time.Millisecond))
}

// TestPostgresOutage cuts PostgreSQL off a stack under a stream of transfers, as refused
// connections and as silence: requests answer 503 service_unavailable (a problem body; an HTML
// error with data-code on the HTML routes) within the request deadline, never hang, and service
// resumes by itself. No transaction answered 201 is lost; one answered 503 is decided by its retry.
func TestPostgresOutage(t *testing.T) {
	for _, mode := range []struct {
		name      string
		cut, heal func(*pgtest.Proxy)
		bound     time.Duration // of a 503
		length    time.Duration // of the cut
	}{
		{"refused", (*pgtest.Proxy).Down, (*pgtest.Proxy).Up, time.Second, 2 * time.Second},
		{"silent", (*pgtest.Proxy).Pause, (*pgtest.Proxy).Resume, app.DefaultStoreTimeout + time.Second, app.DefaultStoreTimeout + 2*time.Second},
	} {
		t.Run(mode.name, func(t *testing.T) {
			svc := newServices(t)
			p := pgtest.NewProxy(t, svc.cfg.DatabaseURL)
			cfg := svc.cfg
			cfg.DatabaseURL = p.DSN()
			cfg.VelocityLimit = 1 << 30
			st := start(t, defaultSpec, cfg)
			c := ledgerspec.NewClient(st.url, nil)
			src, dst := setupLedger(t, c, "PCUT")

			stop := traffic(c, "pcut", src, dst, 4)
			time.Sleep(time.Second)
			cutAt := time.Now()
			mode.cut(p)
			// Meanwhile the HTML routes answer their 503 too.
			htmlErr := make(chan error, 1)
			go func() { htmlErr <- html503(c, src) }()
			time.Sleep(mode.length)
			backAt := time.Now()
			mode.heal(p)
			time.Sleep(2 * time.Second)
			outs := stop()
			if err := <-htmlErr; err != nil {
				t.Error(err)
			}

			var unavailable []outcome
			for _, o := range outs {
				switch {
				case o.status == 201:
				case o.status == 503 && o.code == ledgerspec.CodeServiceUnavailable:
					unavailable = append(unavailable, o)
					if o.took() > mode.bound {
						t.Errorf("transfer %s answered 503 after %v, want within %v", o.id, o.took(), mode.bound)
					}
				default:
					t.Fatalf("transfer %s: status %d (%v) after %v; want 201 or 503 service_unavailable", o.id, o.status, o.err, o.took())
				}
			}
			during := within(outs, span{cutAt.Add(100 * time.Millisecond), backAt})
			for _, o := range during {
				if o.status != 503 {
					t.Errorf("transfer %s during the cut: %d, want 503", o.id, o.status)
				}
			}
			if len(unavailable) == 0 {
				t.Fatal("no transfer answered 503 during the cut")
			}
			recovered := settled(outs, backAt, func(o outcome) bool { return o.status != 201 })
			if recovered > 2*time.Second {
				t.Errorf("transfers still failed %v after PostgreSQL came back", recovered)
			}

			// Nothing acknowledged is lost; a 503's retry decides its id once and for all.
			committed := committedIDs(outs)
			for id := range committed {
				if _, _, err := c.Transaction(context.Background(), id); err != nil {
					t.Errorf("transaction %s was answered 201 but reads %v", id, err)
				}
			}
			replayed := 0
			for _, o := range unavailable {
				_, reply, err := c.Transfer(context.Background(), o.id, src, dst, 1)
				if err != nil {
					t.Fatalf("retrying %s after the outage: %v", o.id, err)
				}
				if reply.Replayed() {
					replayed++ // the first attempt had committed although it was answered 503
				}
				committed[o.id] = true
			}
			wantDebits(t, c, src, int64(len(committed)), "after the outage and the retries")
			waitForTopic(t, eventLog(t, svc.cfg.KafkaBrokers), ledgerspec.TopicTransactions, committed)
			t.Logf("%d transfers: %d answered 503 (slowest %v), the rest 201; working again %v after PostgreSQL came back; "+
				"retries of the 503s: %d had committed (200 replayed), %d committed now",
				len(outs), len(unavailable), maxTook(unavailable).Round(time.Millisecond), recovered.Round(time.Millisecond),
				replayed, len(unavailable)-replayed)
		})
	}
}

// html503 requires an HTML route to answer a PostgreSQL outage with its 503 HTML error.
func html503(c *ledgerspec.Client, account string) error {
	time.Sleep(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	reply, err := c.Get(ctx, ledgerspec.AccountPagePath(account))
	switch {
	case err != nil:
		return fmt.Errorf("account page during the outage: %w", err)
	case reply.Status != 503 || !strings.HasPrefix(reply.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(reply.Body), ledgerspec.HTMLAttrCode+`="`+string(ledgerspec.CodeServiceUnavailable)+`"`):
		return fmt.Errorf("account page during the outage: %d %s %.300q; want a 503 HTML error with %s=%q",
			reply.Status, reply.Header.Get("Content-Type"), reply.Body, ledgerspec.HTMLAttrCode, ledgerspec.CodeServiceUnavailable)
	}
	return nil
}

// TestPostgresConnectionsTerminated ends the stack's database connections from the server's side
// (pg_terminate_backend) three times under a stream of transfers: a request on a connection that
// was ended answers 503 at worst, never 500, and the stack goes on by itself.
func TestPostgresConnectionsTerminated(t *testing.T) {
	svc := newServices(t)
	cfg := svc.cfg
	cfg.VelocityLimit = 1 << 30
	st := start(t, defaultSpec, cfg)
	c := ledgerspec.NewClient(st.url, nil)
	src, dst := setupLedger(t, c, "PTERM")
	stop := traffic(c, "pterm", src, dst, 8)
	ended := 0
	for range 3 {
		time.Sleep(time.Second)
		ended += pgtest.Terminate(t, cfg.DatabaseURL)
	}
	time.Sleep(time.Second)
	outs := stop()
	failed := 0
	for _, o := range outs {
		switch {
		case o.status == 201:
		case o.status == 503 && o.code == ledgerspec.CodeServiceUnavailable:
			failed++
			if _, _, err := c.Transfer(context.Background(), o.id, src, dst, 1); err != nil {
				t.Errorf("retrying %s: %v", o.id, err)
			}
		default:
			t.Fatalf("transfer %s: status %d (%v)", o.id, o.status, o.err)
		}
	}
	if last := outs[len(outs)-1]; last.status != 201 {
		t.Errorf("the last transfer answered %d", last.status)
	}
	wantDebits(t, c, src, int64(len(outs)), "after the terminations and the retries")
	t.Logf("%d connections terminated in 3 rounds under %d transfers: %d answered 503, the rest 201", ended, len(outs), failed)
}
