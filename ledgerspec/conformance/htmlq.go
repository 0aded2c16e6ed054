package conformance

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"stacklab/ledgerspec"
)

// The HTML helpers read markup with golang.org/x/net/html only: documents with html.Parse,
// fragments with html.ParseFragment in the context of the element they are the inner HTML of, raw
// tags with the tokenizer. Text is compared after the parser decoded entities.

// parseDoc parses a whole page.
func parseDoc(b []byte) (*html.Node, error) {
	n, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parsing the page: %w", err)
	}
	return n, nil
}

// parseFragment parses the inner HTML of an element with tag contextTag (e.g. "tbody" for rows)
// and returns that element holding the parsed nodes.
func parseFragment(b []byte, contextTag string) (*html.Node, error) {
	a := atom.Lookup([]byte(contextTag))
	root := &html.Node{Type: html.ElementNode, Data: contextTag, DataAtom: a}
	nodes, err := html.ParseFragment(bytes.NewReader(b), &html.Node{Type: html.ElementNode, Data: contextTag, DataAtom: a})
	if err != nil {
		return nil, fmt.Errorf("parsing a fragment in a <%s>: %w", contextTag, err)
	}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	return root, nil
}

// walk calls f for n and every descendant, in document order, until f returns false.
func walk(n *html.Node, f func(*html.Node) bool) bool {
	if !f(n) {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !walk(c, f) {
			return false
		}
	}
	return true
}

// findAll returns the elements under n (n included) for which match is true, in document order.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	walk(n, func(m *html.Node) bool {
		if m.Type == html.ElementNode && match(m) {
			out = append(out, m)
		}
		return true
	})
	return out
}

// findFirst returns the first element under n (n included) for which match is true, or nil.
func findFirst(n *html.Node, match func(*html.Node) bool) *html.Node {
	var found *html.Node
	walk(n, func(m *html.Node) bool {
		if m.Type == html.ElementNode && match(m) {
			found = m
			return false
		}
		return true
	})
	return found
}

// attr returns an attribute's value (keys are lowercase after parsing).
func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// hasAttr matches elements whose attribute key equals val.
func hasAttr(key, val string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		v, ok := attr(n, key)
		return ok && v == val
	}
}

// withAttr matches elements that carry attribute key.
func withAttr(key string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		_, ok := attr(n, key)
		return ok
	}
}

// isTag matches elements by tag name.
func isTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

// byID returns the element with the given id, or nil.
func byID(n *html.Node, id string) *html.Node { return findFirst(n, hasAttr("id", id)) }

// field returns the first element under n with data-field=name, or nil.
func field(n *html.Node, name string) *html.Node {
	return findFirst(n, hasAttr(ledgerspec.HTMLAttrField, name))
}

// text is the text content of n: every descendant text node, concatenated.
func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(m *html.Node) bool {
		if m.Type == html.TextNode {
			b.WriteString(m.Data)
		}
		return true
	})
	return b.String()
}

// fieldText returns the text of the data-field element under n, or an error naming what is missing.
func fieldText(n *html.Node, name, where string) (string, error) {
	f := field(n, name)
	if f == nil {
		return "", fmt.Errorf("%s has no element with %s=%q", where, ledgerspec.HTMLAttrField, name)
	}
	return text(f), nil
}

// fieldWant is a data-field's name and the text it must show.
type fieldWant struct{ name, want string }

// wantFields checks that n's data-fields show exactly the wanted texts.
func wantFields(n *html.Node, where string, fields ...fieldWant) error {
	for _, f := range fields {
		got, err := fieldText(n, f.name, where)
		if err != nil {
			return err
		}
		if got != f.want {
			return fmt.Errorf("%s shows %s %q, want exactly %q", where, f.name, got, f.want)
		}
	}
	return nil
}

// rawTags returns the start tags of a markup, as the tokenizer reads them (doctype included as
// "!doctype").
func rawTags(b []byte) []string {
	z := html.NewTokenizer(bytes.NewReader(b))
	var tags []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return tags
			}
			return tags
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tags = append(tags, strings.ToLower(string(name)))
		case html.DoctypeToken:
			tags = append(tags, "!doctype")
		}
	}
}

// varyHas reports whether the Vary headers list token (case-insensitively).
func varyHas(h http.Header, token string) bool {
	for _, v := range h.Values(ledgerspec.HeaderVary) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// isHTMLType reports whether a Content-Type is text/html with charset utf-8.
func isHTMLType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	return err == nil && mt == "text/html" && strings.EqualFold(params["charset"], "utf-8")
}

// wantHTML checks an HTML answer's status, Content-Type and Vary.
func (x *exchange) wantHTML(status int) error {
	switch {
	case x.Status != status:
		return x.fail("%d with HTML", status)
	case !isHTMLType(x.Header.Get("Content-Type")):
		return x.fail("Content-Type %s", ledgerspec.ContentTypeHTML)
	case !varyHas(x.Header, ledgerspec.HTMLVaryValue):
		return x.fail("a Vary header listing %s (got Vary %q)", ledgerspec.HTMLVaryValue, x.Header.Values(ledgerspec.HeaderVary))
	}
	return nil
}

// fullPage checks a full HTML page: status 200, HTML headers, a <!doctype html> start, htmx loaded
// from the stack and no script from another host. It returns the parsed document.
func (x *exchange) fullPage() (*html.Node, error) {
	if err := x.wantHTML(http.StatusOK); err != nil {
		return nil, err
	}
	if len(x.Body) < len(ledgerspec.HTMLDoctypePrefix) || !strings.EqualFold(string(x.Body[:len(ledgerspec.HTMLDoctypePrefix)]), ledgerspec.HTMLDoctypePrefix) {
		return nil, x.fail("a page starting with %s", ledgerspec.HTMLDoctypePrefix)
	}
	doc, err := parseDoc(x.Body)
	if err != nil {
		return nil, x.fail("HTML (%v)", err)
	}
	htmx := false
	for _, s := range findAll(doc, isTag("script")) {
		src, ok := attr(s, "src")
		if !ok {
			continue
		}
		if src == ledgerspec.PathHTMX {
			htmx = true
		}
		u, err := url.Parse(src)
		if err != nil || u.Host != "" || u.Scheme != "" {
			return nil, x.fail("no script from another host (found <script src=%q>)", src)
		}
	}
	if !htmx {
		return nil, x.fail("a <script src=%q>", ledgerspec.PathHTMX)
	}
	return doc, nil
}

// fragment checks an HTML fragment: the status, HTML headers, no <html>, <head> or <body> element
// and no doctype in the raw markup. It returns the markup parsed as the inner HTML of contextTag.
func (x *exchange) fragment(status int, contextTag string) (*html.Node, error) {
	if err := x.wantHTML(status); err != nil {
		return nil, err
	}
	for _, t := range rawTags(x.Body) {
		switch t {
		case "html", "head", "body", "!doctype":
			return nil, x.fail("a fragment, without <html>, <head>, <body> or a doctype (found <%s>)", t)
		}
	}
	root, err := parseFragment(x.Body, contextTag)
	if err != nil {
		return nil, x.fail("HTML (%v)", err)
	}
	return root, nil
}

// injected looks for markup that the stack did not put there: scripts other than htmx's, images
// and other embedding elements, on* event handler attributes, and hx-* attributes whose value
// holds one of the corpus texts or one of the values the corpus tries to inject. It reads the
// parsed tree and, when raw is not nil, every start tag of the raw markup too: the tree builder
// drops or moves misplaced tags (a <td> outside a table), the tokenizer sees them as written.
func injected(root *html.Node, raw []byte, corpus []string, injectedValues []string) error {
	var problem error
	walk(root, func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			problem = suspicious(n.Data, n.Attr, text(n), corpus, injectedValues)
		}
		return problem == nil
	})
	if problem != nil || raw == nil {
		return problem
	}
	z := html.NewTokenizer(bytes.NewReader(raw))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "script" {
				// The tokenizer returns the script's text as the next token.
				src, _ := tokenAttr(tok.Attr, "src")
				if src != ledgerspec.PathHTMX {
					return fmt.Errorf("a <script> besides htmx's in the markup (src %q)", src)
				}
				continue
			}
			if err := suspicious(tok.Data, tok.Attr, "", corpus, injectedValues); err != nil {
				return fmt.Errorf("in the markup as sent: %w", err)
			}
		}
	}
}

func tokenAttr(attrs []html.Attribute, key string) (string, bool) {
	for _, a := range attrs {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// suspicious judges one element: its tag and attributes.
func suspicious(tag string, attrs []html.Attribute, content string, corpus, injectedValues []string) error {
	switch tag {
	case "script":
		if src, _ := tokenAttr(attrs, "src"); src != ledgerspec.PathHTMX {
			return fmt.Errorf("a <script> besides htmx's (src %q, text %q)", src, content)
		}
	case "img", "iframe", "object", "embed":
		return fmt.Errorf("an injected <%s> element", tag)
	}
	for _, a := range attrs {
		k := strings.ToLower(a.Key)
		if len(k) > 2 && strings.HasPrefix(k, "on") {
			return fmt.Errorf("an event handler attribute %s=%q on <%s>", a.Key, a.Val, tag)
		}
		if !strings.HasPrefix(k, "hx-") && !strings.HasPrefix(k, "data-hx-") {
			continue
		}
		for _, c := range corpus {
			if strings.Contains(a.Val, c) {
				return fmt.Errorf("an htmx attribute %s=%q on <%s> holding untrusted text", a.Key, a.Val, tag)
			}
		}
		if slices.Contains(injectedValues, a.Val) {
			return fmt.Errorf("an injected htmx attribute %s=%q on <%s>", a.Key, a.Val, tag)
		}
	}
	return nil
}
