package transporttest

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/transport"
)

// aliasing is a deliberately wrong transport on a bare fasthttp.Server: it hands the app the
// request body in fasthttp's own buffer (ctx.PostBody), which fasthttp reuses for the next request
// on the connection. With copyBody it hands a copy, as the lab's transports do.
type aliasing struct{ srv *fasthttp.Server }

func newAliasing(copyBody bool) transport.New {
	return func(a *app.App, opt transport.Options) transport.Server {
		return &aliasing{srv: &fasthttp.Server{Name: opt.ServerHeader(), Handler: func(ctx *fasthttp.RequestCtx) {
			in := app.Request{ContentType: string(ctx.Request.Header.ContentType())}
			switch path := string(ctx.Path()); {
			case ctx.IsPost() && path == ledgerspec.PathAccounts:
				in.Route, in.Body = ledgerspec.RouteCreateAccount, ctx.PostBody()
				if copyBody {
					in.Body = bytes.Clone(in.Body)
				}
			case ctx.IsGet() && strings.HasPrefix(path, ledgerspec.PathAccounts+"/"):
				in.Route, in.Param = ledgerspec.RouteGetAccount, strings.TrimPrefix(path, ledgerspec.PathAccounts+"/")
			}
			var out app.Response
			a.Serve(context.Background(), &in, &out)
			ctx.SetStatusCode(out.Status)
			ctx.SetContentType(out.ContentType)
			ctx.SetBody(out.Body)
		}}}
	}
}

func (s *aliasing) Serve(ln net.Listener) error        { return s.srv.Serve(ln) }
func (s *aliasing) Shutdown(ctx context.Context) error { return s.srv.ShutdownWithContext(ctx) }

var _ transport.Server = (*aliasing)(nil)

// TestRetentionCatchesAliasing shows that the buffer retention check fails for a transport that
// lets the app's decoded strings alias a reused engine buffer, and passes for the same transport
// once it copies the body.
func TestRetentionCatchesAliasing(t *testing.T) {
	err := checkRetention(Start(t, "aliasing", newAliasing(false), newAliasingCodec()), 2, 200)
	if err == nil {
		t.Fatal("the retention check passed a transport that hands the app fasthttp's reused body buffer")
	}
	t.Logf("caught, as it should be: %v", err)
	if err := checkRetention(Start(t, "copying", newAliasing(true), newAliasingCodec()), 2, 200); err != nil {
		t.Fatalf("the same transport copying the body: %v", err)
	}
}

// TestAliasingCodec: the model codec's strings do alias its input.
func TestAliasingCodec(t *testing.T) {
	body := []byte(`{"id":"acc-1","ledger":"TT","name":"Alice"}`)
	var got ledgerspec.NewAccount
	if err := newAliasingCodec().Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	copy(body[bytes.Index(body, []byte("Alice")):], "Mallo")
	if got.Name != "Mallo" || got.ID != "acc-1" {
		t.Fatalf("decoded (%q, %q) after the body changed; want the name to follow the body", got.ID, got.Name)
	}
}
