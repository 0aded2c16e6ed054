package fiber

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/transport"
	"stacklab/stacks/transport/internal/fastreq"
)

// Server serves the app with Fiber v2.
type Server struct {
	fiber *fiber.App
	life  *fastreq.Lifecycle
}

var _ transport.Server = (*Server)(nil)

// New returns a Server for the app.
func New(a *app.App, opt transport.Options) transport.Server {
	base := transport.NewBase()
	f := fiber.New(fiber.Config{
		ServerHeader: opt.ServerHeader(),
		// Route as net/http's ServeMux does: case-sensitive, a trailing slash is another path,
		// and on the escaped path (UnescapePath off), so %2F stays inside its segment; the
		// handler decodes the parameter.
		CaseSensitive: true,
		StrictRouting: true,
		// Bodies are streamed; the transport reads at most MaxBodyBytes+1 of them, and the app
		// answers 413. BodyLimit only bounds fasthttp's read-ahead here.
		StreamRequestBody:            true,
		BodyLimit:                    ledgerspec.MaxBodyBytes + 1,
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  transport.ReadHeaderTimeout,
		IdleTimeout:                  transport.IdleTimeout,
		DisableDefaultContentType:    true,
		DisableStartupMessage:        true,
		ErrorHandler:                 errorReply,
		// Immutable stays off (Fiber's default): the handler copies the few values the app
		// keeps, rather than Fiber copying every value it hands out.
	})
	h := &handler{app: a, ctx: base.Context()}
	for _, r := range ledgerspec.Routes {
		path, err := pattern(r)
		if err != nil {
			panic(fmt.Sprintf("fiber: the contract's routes: %v", err)) // static data: a bug, not a condition
		}
		if r.Method == fiber.MethodGet {
			f.Get(path, h.route(r)) // GET and HEAD
		} else {
			f.Add(r.Method, path, h.route(r))
		}
	}
	f.Use(h.route(ledgerspec.Route{})) // everything else: the app's not_found
	return &Server{fiber: f, life: &fastreq.Lifecycle{Name: "fiber", Base: base}}
}

// pattern writes a ServeMux pattern in Fiber's syntax: {name} is :name, {name...} is *.
func pattern(r ledgerspec.Route) (string, error) {
	segs := strings.Split(r.Pattern, "/")
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "...}"):
			if i != len(segs)-1 {
				return "", fmt.Errorf("route %s: %s must be the last segment of %q", r.ID, s, r.Pattern)
			}
			segs[i] = "*"
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			segs[i] = ":" + s[1:len(s)-1]
		case strings.ContainsAny(s, "{}:*?+"):
			return "", fmt.Errorf("route %s: segment %q of %q", r.ID, s, r.Pattern)
		}
	}
	return strings.Join(segs, "/"), nil
}

type handler struct {
	app *app.App
	ctx context.Context
}

func (h *handler) route(r ledgerspec.Route) fiber.Handler {
	param := r.Param
	if strings.HasSuffix(r.Pattern, "...}") {
		param = "*"
	}
	return func(c *fiber.Ctx) error {
		in := app.Request{Route: r.ID}
		switch {
		case !transport.CanonicalPath(c.Path()):
			in.Route = "" // Fiber matches "." and ".." as parameters; ServeMux would redirect
		case param != "":
			in.Param = transport.PathParam(c.Params(param))
		}
		if err := fastreq.Fill(c.Context(), &in); err != nil {
			c.Set(fiber.HeaderConnection, "close")
			return fiber.NewError(http.StatusBadRequest, err.Error())
		}
		var out app.Response
		h.app.Serve(h.ctx, &in, &out)
		c.Status(out.Status)
		if out.ContentType != "" {
			c.Set(fiber.HeaderContentType, out.ContentType)
		}
		out.VisitHeaders(c.Set)
		return c.Send(out.Body) // the app's slice, never changed: set without a copy
	}
}

// errorReply answers what Fiber or fasthttp refuse before a route (Fiber maps fasthttp's read
// errors to *fiber.Error) and the transport's own 400 on a body it cannot read.
func errorReply(c *fiber.Ctx, err error) error {
	status := fastreq.ErrorStatus(err)
	var fe *fiber.Error
	if errors.As(err, &fe) {
		status = fe.Code
	}
	c.Set(fiber.HeaderContentType, ledgerspec.ContentTypePlain)
	return c.Status(status).SendString(http.StatusText(status) + "\n")
}

// Serve answers on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.life.Serve(ln, s.fiber.Listener) }

// Shutdown stops accepting, closes idle connections and waits for in-flight requests; if ctx
// ends first, their context is cancelled.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.life.Shutdown(ctx, s.fiber.ShutdownWithContext)
}
