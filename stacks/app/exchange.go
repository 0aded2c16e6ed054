package app

import "stacklab/ledgerspec"

// Request is what a transport hands the app: the matched route and the bytes it moved. Transports do
// routing and byte moving only; everything else happens in the app.
type Request struct {
	Route ledgerspec.RouteID
	// Param is the route's path parameter, unescaped ("" for routes without one).
	Param string
	// RawQuery is the query string without '?', still escaped.
	RawQuery    string
	ContentType string
	// Body holds at most ledgerspec.MaxBodyBytes bytes; BodyTooLarge is set when the request had more.
	Body         []byte
	BodyTooLarge bool
	HXRequest    bool // HX-Request: true
	HXTarget     string
}

// Response is what the app answers. A transport writes Status, the headers that are set and Body.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
	Replayed    bool // Idempotent-Replayed: true
	VaryHX      bool // Vary: HX-Request
	Location    string
	HXTrigger   string
	HXRetarget  string
	HXReswap    string
	CacheCtl    string
}

// Reset clears r for reuse.
func (r *Response) Reset() { *r = Response{} }

// VisitHeaders calls set for each header the response carries besides Content-Type, so every
// transport writes the same headers in the same way.
func (r *Response) VisitHeaders(set func(name, value string)) {
	if r.Replayed {
		set(ledgerspec.HeaderReplayed, "true")
	}
	if r.VaryHX {
		set(ledgerspec.HeaderVary, ledgerspec.HTMLVaryValue)
	}
	if r.Location != "" {
		set(ledgerspec.HTMLLocationHeader, r.Location)
	}
	if r.HXTrigger != "" {
		set(ledgerspec.HeaderHXTrigger, r.HXTrigger)
	}
	if r.HXRetarget != "" {
		set(ledgerspec.HTMLRetargetHeader, r.HXRetarget)
	}
	if r.HXReswap != "" {
		set(ledgerspec.HTMLReswapHeader, r.HXReswap)
	}
	if r.CacheCtl != "" {
		set("Cache-Control", r.CacheCtl)
	}
}
