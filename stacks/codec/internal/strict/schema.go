package strict

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"unicode"
)

// kind is what JSON a type takes.
type kind uint8

const (
	kindScalar kind = iota // a string, number or bool: an object or array is refused
	kindObject             // a struct: an object of its fields' names
	kindArray              // a slice or array: an array of elem
	kindOpaque             // anything the check cannot see into: any JSON value
)

// node is the shape of a type. Nodes of recursive types point back to themselves.
type node struct {
	kind   kind
	elem   *node          // kindArray
	fields []field        // kindObject, in declaration order
	index  map[string]int // kindObject with many fields: name → index in fields
	// longest is the length of the longest field name: an escaped key that unescapes to more
	// bytes is unknown without comparing.
	longest int
}

type field struct {
	name string
	node *node
}

var (
	opaque = &node{kind: kindOpaque}
	scalar = &node{kind: kindScalar}
)

// manyFields is the number of fields above which a struct's names are looked up in a map.
const manyFields = 12

// lookup returns the index of the field named by the raw (still escaped) key, or -1.
func (n *node) lookup(raw []byte, escaped bool) int {
	key := raw
	if escaped {
		// The buffer stays on the stack; only a key that unescapes to more than 64 bytes, which
		// is no name of the lab's types (an unknown key, refused), makes append allocate.
		var buf [64]byte
		key = unescape(buf[:0], raw)
	}
	if len(key) > n.longest {
		return -1
	}
	if n.index != nil {
		if i, ok := n.index[string(key)]; ok {
			return i
		}
		return -1
	}
	for i := range n.fields {
		if n.fields[i].name == string(key) {
			return i
		}
	}
	return -1
}

// schemas caches the node of every type checked so far.
var schemas sync.Map // reflect.Type → *node

// schemaOf returns the shape of t, built on first use.
func schemaOf(t reflect.Type) *node {
	if n, ok := schemas.Load(t); ok {
		return n.(*node)
	}
	n := build(t, map[reflect.Type]*node{})
	actual, _ := schemas.LoadOrStore(t, n)
	return actual.(*node)
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// unmarshals reports whether t, or a pointer to it, decodes itself.
func unmarshals(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshaler) || p.Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || p.Implements(textUnmarshaler)
}

// build returns the node of t; building maps the structs and slices under way, for recursive types.
func build(t reflect.Type, building map[reflect.Type]*node) *node {
	if n, ok := building[t]; ok {
		return n
	}
	if unmarshals(t) {
		return opaque
	}
	switch t.Kind() {
	case reflect.Pointer:
		return build(t.Elem(), building)
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return scalar
	case reflect.Slice:
		if e := t.Elem(); e.Kind() == reflect.Uint8 && !unmarshals(e) {
			return scalar // []byte is a base64 string
		}
		n := &node{kind: kindArray}
		building[t] = n
		n.elem = build(t.Elem(), building)
		return n
	case reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return opaque // [N]byte: an array for encoding/json, a base64 string for encoding/json/v2
		}
		n := &node{kind: kindArray}
		building[t] = n
		n.elem = build(t.Elem(), building)
		return n
	case reflect.Struct:
		n := &node{kind: kindObject}
		building[t] = n
		structFields(n, t, building)
		return n
	default: // map, interface, and kinds JSON cannot hold
		return opaque
	}
}

// candidate is a field found while walking a struct and the structs embedded in it.
type candidate struct {
	name   string
	tagged bool
	depth  int // how deeply embedded
	typ    reflect.Type
}

// structFields fills n with t's fields by encoding/json's rules: the json tag's name or else the
// Go name; "-" and unexported fields are skipped; the fields of an embedded struct without a tag
// name are promoted, and of several fields of one name the least embedded wins, then the only
// tagged one, else none.
func structFields(n *node, t reflect.Type, building map[reflect.Type]*node) {
	var cands []candidate
	collect(t, 0, map[reflect.Type]bool{t: true}, &cands)
	byName := map[string][]candidate{}
	var order []string
	for _, c := range cands {
		if _, ok := byName[c.name]; !ok {
			order = append(order, c.name)
		}
		byName[c.name] = append(byName[c.name], c)
	}
	for _, name := range order {
		c, ok := dominant(byName[name])
		if !ok {
			continue
		}
		n.fields = append(n.fields, field{name: name, node: build(c.typ, building)})
		n.longest = max(n.longest, len(name))
	}
	if len(n.fields) > manyFields {
		n.index = make(map[string]int, len(n.fields))
		for i, f := range n.fields {
			n.index[f.name] = i
		}
	}
}

func collect(t reflect.Type, depth int, visiting map[reflect.Type]bool, out *[]candidate) {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if !validName(name) {
			name = ""
		}
		if sf.Anonymous {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if !sf.IsExported() && ft.Kind() != reflect.Struct {
				continue
			}
			if name == "" && ft.Kind() == reflect.Struct && !visiting[ft] {
				visiting[ft] = true
				collect(ft, depth+1, visiting, out)
				delete(visiting, ft)
				continue
			}
			if name == "" && ft.Kind() == reflect.Struct {
				continue // embedded in itself
			}
		} else if !sf.IsExported() {
			continue
		}
		c := candidate{name: name, tagged: name != "", depth: depth, typ: sf.Type}
		if c.name == "" {
			c.name = sf.Name
		}
		*out = append(*out, c)
	}
}

// dominant picks the field a name decodes into among the fields of that name.
func dominant(cs []candidate) (candidate, bool) {
	least := cs[0].depth
	for _, c := range cs[1:] {
		least = min(least, c.depth)
	}
	var top []candidate
	for _, c := range cs {
		if c.depth == least {
			top = append(top, c)
		}
	}
	if len(top) == 1 {
		return top[0], true
	}
	var tagged []candidate
	for _, c := range top {
		if c.tagged {
			tagged = append(tagged, c)
		}
	}
	if len(tagged) == 1 {
		return tagged[0], true
	}
	return candidate{}, false
}

// validName reports whether a json tag's name is one encoding/json uses (else it uses the Go name).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
