package api

import (
	_ "embed"
	"sort"

	"github.com/licverify/licverify/internal/jsontext"
)

// OpsJSON is the one table of ops (ops.json beside this file): each op's
// members, where each travels (header or part) and the kind of its value.
// The codec enforces it; the bindings are generated from it or tested
// against it.
//
//go:embed ops.json
var OpsJSON []byte

// Member kinds of the table.
const (
	KindBytes   = "bytes"   // one part
	KindBytesN  = "bytes[]" // repeated parts, in order
	KindString  = "string"  // header: JSON string
	KindStrings = "strings" // header: JSON array of strings
	KindTime    = "time"    // header: RFC 3339 string
	KindInt     = "int"     // header: integer within Min..Max
	KindBool    = "bool"    // header: true or false
	KindHandle  = "handle"  // header: a loaded set's handle
)

// Member is one member of an op.
type Member struct {
	Kind     string `json:"kind"`
	Required bool   `json:"required"`
	NonEmpty bool   `json:"non_empty"`
	Min      *int64 `json:"min"`
	Max      *int64 `json:"max"`
	MaxItems int    `json:"max_items"`
}

// IsPart reports whether the member travels as a part of the frame.
func (m Member) IsPart() bool { return m.Kind == KindBytes || m.Kind == KindBytesN }

// Op is one op of the table.
type Op struct {
	// Document names the member a typed API takes as its first argument.
	Document string            `json:"document"`
	Members  map[string]Member `json:"members"`
}

// Table is the decoded ops.json.
type Table struct {
	About      string            `json:"about"`
	ABIVersion int               `json:"abi_version"`
	Kinds      map[string]string `json:"kinds"`
	Ops        map[string]Op     `json:"ops"`
}

// Ops is the table every request is checked against.
var Ops = mustTable()

func mustTable() Table {
	t, err := decodeTable(OpsJSON)
	if err != "" {
		panic("api: ops.json: " + err)
	}
	return t
}

// decodeTable reads ops.json without encoding/json, which the module does
// not carry. It is stricter than encoding/json: a member it does not know
// is an error, so that a misspelt key in the table fails every test
// rather than being ignored. TestTableDecodes holds it to encoding/json.
func decodeTable(text []byte) (t Table, err string) {
	fail := func(what string) bool {
		if err == "" {
			err = what
		}
		return false
	}
	ok := jsontext.Object(text, func(name string, v []byte) bool {
		switch name {
		case "about":
			s, ok := jsontext.Unquote(v)
			t.About = s
			return ok || fail("about is not a string")
		case "abi_version":
			n, ok := jsontext.Int(v)
			t.ABIVersion = int(n)
			return ok || fail("abi_version is not an integer")
		case "kinds":
			t.Kinds = map[string]string{}
			return jsontext.Object(v, func(k string, v []byte) bool {
				s, ok := jsontext.Unquote(v)
				t.Kinds[k] = s
				return ok || fail("kinds."+k+" is not a string")
			}) || fail("kinds is not an object of strings")
		case "ops":
			t.Ops = map[string]Op{}
			return jsontext.Object(v, func(op string, v []byte) bool {
				o, ok := decodeOp(v, op, fail)
				t.Ops[op] = o
				return ok
			}) || fail("ops is not an object")
		}
		return fail("unknown member " + name)
	})
	if !ok {
		fail("not a JSON object")
	}
	return t, err
}

func decodeOp(text []byte, op string, fail func(string) bool) (o Op, ok bool) {
	ok = jsontext.Object(text, func(name string, v []byte) bool {
		switch name {
		case "document":
			s, ok := jsontext.Unquote(v)
			o.Document = s
			return ok || fail(op+".document is not a string")
		case "members":
			o.Members = map[string]Member{}
			return jsontext.Object(v, func(m string, v []byte) bool {
				mem, ok := decodeMember(v, op+"."+m, fail)
				o.Members[m] = mem
				return ok
			}) || fail(op+".members is not an object")
		}
		return fail(op + ": unknown member " + name)
	})
	return o, ok || fail(op+" is not an object")
}

func decodeMember(text []byte, what string, fail func(string) bool) (m Member, ok bool) {
	ok = jsontext.Object(text, func(name string, v []byte) bool {
		var good bool
		switch name {
		case "kind":
			m.Kind, good = jsontext.Unquote(v)
		case "required":
			m.Required, good = jsontext.Bool(v)
		case "non_empty":
			m.NonEmpty, good = jsontext.Bool(v)
		case "min", "max":
			var n int64
			if n, good = jsontext.Int(v); good {
				if name == "min" {
					m.Min = &n
				} else {
					m.Max = &n
				}
			}
		case "max_items":
			var n int64
			n, good = jsontext.Int(v)
			m.MaxItems = int(n)
		default:
			return fail(what + ": unknown member " + name)
		}
		return good || fail(what+"."+name+" has the wrong type")
	})
	return m, ok || fail(what+" is not an object")
}

// names returns the op's members, sorted: requests name the first missing
// one, the same on every call.
func (o Op) names() []string {
	names := make([]string, 0, len(o.Members))
	for k := range o.Members {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// OpNames returns the ops of the table, sorted.
func (t Table) OpNames() []string {
	names := make([]string, 0, len(t.Ops))
	for k := range t.Ops {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// counts returns the most parts any op of the table takes (each bytes
// member once, each bytes[] member up to its max_items) and the most
// header members (op included).
func (t Table) counts() (parts, header int) {
	for _, o := range t.Ops {
		p, h := 0, 1
		for _, m := range o.Members {
			switch {
			case m.Kind == KindBytes:
				p++
			case m.Kind == KindBytesN:
				p += m.MaxItems
			case !m.IsPart():
				h++
			}
		}
		parts, header = max(parts, p), max(header, h)
	}
	return parts, header
}
