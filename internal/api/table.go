package api

import (
	_ "embed"
	"encoding/json"
	"sort"
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
	var t Table
	if err := json.Unmarshal(OpsJSON, &t); err != nil {
		panic("api: ops.json: " + err.Error())
	}
	return t
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
