package canonical

import (
	"slices"
	"strconv"
)

// encoder writes the RFC 8785 form of a document that check has accepted
// straight into out. Building a tree of the whole document first (as
// jcs.Transform does) costs about fifteen times the input for a revocation
// set of a million ids; here an object in canonical order is copied
// through as it is read, and one out of order costs 8 bytes per member
// (a sort key and the offset of its name, sorted in place) besides the
// output.
type encoder struct {
	doc []byte
	pos int
	out []byte
	// unsorted is check's record of the objects out of order.
	unsorted []uint64
	// omit names a top-level member to leave out; its canonical value goes
	// to omitted instead.
	omit    string
	omitted []byte
	depth   int
	// order is a stack of the members of the objects being sorted: each
	// a sortKey and the offset of its name.
	order []uint64
	// dup is the offset of the first name in document order that repeats
	// an earlier one in an object out of order, or -1.
	dup int
}

func (e *encoder) skipSpace() {
	for e.pos < len(e.doc) {
		switch e.doc[e.pos] {
		case ' ', '\t', '\n', '\r':
			e.pos++
		default:
			return
		}
	}
}

func (e *encoder) value() {
	e.skipSpace()
	switch c := e.doc[e.pos]; {
	case c == '{':
		e.object()
	case c == '[':
		e.array()
	case c == '"':
		e.out, e.pos = appendToken(e.out, e.doc, e.pos)
	case c == 't':
		e.out = append(e.out, "true"...)
		e.pos += 4
	case c == 'f':
		e.out = append(e.out, "false"...)
		e.pos += 5
	case c == 'n':
		e.out = append(e.out, "null"...)
		e.pos += 4
	default:
		e.number()
	}
}

func (e *encoder) object() {
	open := e.pos
	e.depth++
	e.pos++ // '{'
	e.out = append(e.out, '{')
	written := 0
	if !isUnsorted(e.unsorted, open) {
		for {
			e.skipSpace()
			if e.doc[e.pos] == '}' {
				e.pos++
				break
			}
			if e.doc[e.pos] == ',' {
				e.pos++
				e.skipSpace()
			}
			e.member(&written)
		}
	} else {
		e.sortedMembers(&written)
	}
	e.out = append(e.out, '}')
	e.depth--
}

// sortedMembers writes the members of the object at pos, whose '{' has
// been read, in the order of their names' UTF-16 code units
// (RFC 8785 §3.2.3), and records in dup the first name that repeats
// another. Each member is an entry of order, as sortMembers takes them.
func (e *encoder) sortedMembers(written *int) {
	// Count first, so that order grows at most once.
	n := 0
	for i := e.pos; ; n++ {
		for e.doc[i] != '"' && e.doc[i] != '}' {
			i++
		}
		if e.doc[i] == '}' {
			break
		}
		i = skipToken(e.doc, i)
		for e.doc[i] != ':' {
			i++
		}
		i++
		for e.doc[i] == ' ' || e.doc[i] == '\t' || e.doc[i] == '\n' || e.doc[i] == '\r' {
			i++
		}
		i = skipValue(e.doc, i)
	}
	base := len(e.order)
	e.order = slices.Grow(e.order, n)
	for range n {
		for e.doc[e.pos] != '"' {
			e.pos++
		}
		e.order = append(e.order, sortKey(e.doc, e.pos)<<32|uint64(e.pos))
		e.pos = skipToken(e.doc, e.pos)
		for e.doc[e.pos] != ':' {
			e.pos++
		}
		e.pos++
		e.skipSpace()
		e.pos = skipValue(e.doc, e.pos)
	}
	for e.doc[e.pos] != '}' {
		e.pos++
	}
	end, top := e.pos+1, len(e.order)
	if d := sortMembers(e.doc, e.order[base:top]); d >= 0 && (e.dup < 0 || d < e.dup) {
		e.dup = d
	}
	// Members' values may hold objects that push onto order: index it
	// afresh each time.
	for i := base; i < top; i++ {
		e.pos = int(uint32(e.order[i]))
		e.member(written)
	}
	e.order = e.order[:base]
	e.pos = end
}

// member writes the member whose name is at pos, after a comma unless it
// is the first written, or moves it to omitted.
func (e *encoder) member(written *int) {
	at, mark := e.pos, len(e.out)
	if *written > 0 {
		e.out = append(e.out, ',')
	}
	e.out, e.pos = appendToken(e.out, e.doc, at)
	e.skipSpace()
	e.pos++ // ':'
	e.out = append(e.out, ':')
	valueAt := len(e.out)
	e.value()
	if e.depth == 1 && e.omit != "" && nameIs(e.doc, at, e.omit) {
		e.omitted = append([]byte(nil), e.out[valueAt:]...)
		e.out = e.out[:mark]
		return
	}
	*written++
}

func (e *encoder) array() {
	e.depth++
	defer func() { e.depth-- }()
	e.pos++ // '['
	e.out = append(e.out, '[')
	first := true
	for {
		e.skipSpace()
		switch e.doc[e.pos] {
		case ']':
			e.pos++
			e.out = append(e.out, ']')
			return
		case ',':
			e.pos++
			continue
		}
		if !first {
			e.out = append(e.out, ',')
		}
		first = false
		e.value()
	}
}

// number writes a number as ECMAScript serializes its double value
// (RFC 8785 §3.2.2.3), through appendNumber. check has refused
// everything outside the double range and every integer beyond ±2^53.
func (e *encoder) number() {
	start := e.pos
	integer := true
	for e.pos < len(e.doc) {
		c := e.doc[e.pos]
		if c == '.' || c == 'e' || c == 'E' {
			integer = false
		} else if !(c >= '0' && c <= '9' || c == '-' || c == '+') {
			break
		}
		e.pos++
	}
	tok := e.doc[start:e.pos]
	// A plain integer within ±2^53 other than -0 is already canonical.
	if integer && string(tok) != "-0" {
		e.out = append(e.out, tok...)
		return
	}
	// check has parsed the same text: it is in the double range, so
	// neither call can fail.
	v, _ := strconv.ParseFloat(string(tok), 64)
	e.out, _ = appendNumber(e.out, v)
}
