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
	// unsorted and members are check's record of the objects out of
	// order: in the order of the form being written.
	unsorted []uint64
	members  map[int]int
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
	// python writes the Python form (form.go) instead of RFC 8785's.
	python bool
	// floats records that a number with a fraction or an exponent was
	// written: a Python float, whose Python form may differ.
	floats bool
	// flush, when set, is handed out's bytes whenever they pass
	// flushSize, and out starts again: a form written for a hash is never
	// held whole. holding > 0 while a member that may be omitted is being
	// written, whose bytes must stay until it is known.
	flush   func([]byte)
	holding int
}

// flushSize is how much output the encoder gathers before handing it to
// flush.
const flushSize = 64 << 10

// maybeFlush hands the output gathered so far to flush, if there is one
// and enough has gathered.
func (e *encoder) maybeFlush() {
	if e.flush != nil && e.holding == 0 && len(e.out) >= flushSize {
		e.flush(e.out)
		e.out = e.out[:0]
	}
}

func (e *encoder) skipSpace() {
	e.pos = skipSpace(e.doc, e.pos)
}

func (e *encoder) value() {
	e.skipSpace()
	switch c := e.doc[e.pos]; {
	case c == '{':
		e.object()
	case c == '[':
		e.array()
	case c == '"':
		e.out, e.pos = e.token(e.out, e.pos)
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
	// An object in order is copied through as it is read; check has
	// marked those out of order (by UTF-16 code units for RFC 8785, by
	// code points for the Python form).
	if !isUnsorted(e.unsorted, open) {
		for !e.streamMembers(&written) {
		}
	} else {
		e.sortedMembers(&written)
	}
	e.out = append(e.out, '}')
	e.depth--
}

// streamMembers writes up to chunk members of an object in canonical
// order as they come, and reports whether the object ended (see chunk).
func (e *encoder) streamMembers(written *int) bool {
	for range chunk {
		e.skipSpace()
		if e.doc[e.pos] == '}' {
			e.pos++
			return true
		}
		if e.doc[e.pos] == ',' {
			e.pos++
			e.skipSpace()
		}
		e.member(written)
	}
	return false
}

// sortedMembers writes the members of the object at pos, whose '{' has
// been read, in the order of their names' UTF-16 code units
// (RFC 8785 §3.2.3), and records in dup the first name that repeats
// another. Each member is an entry of order, as sortMembers takes them.
func (e *encoder) sortedMembers(written *int) {
	base := len(e.order)
	if n, ok := e.members[e.pos-1]; ok {
		e.order = slices.Grow(e.order, n)
	}
	for done := false; !done; {
		e.pos, done = e.collect(e.pos)
	}
	end, top := e.pos+1, len(e.order)
	cmp := cmpNames
	if e.python {
		cmp = cmpCodePoints
	}
	if d := sortMembers(e.doc, e.order[base:top], cmp); d >= 0 && (e.dup < 0 || d < e.dup) {
		e.dup = d
	}
	for i := base; i < top; i += chunk {
		e.writeSorted(i, min(i+chunk, top), written)
	}
	e.order = e.order[:base]
	e.pos = end
}

// collect appends to order up to chunk members of an object, from offset
// i, and returns the offset after them and whether the object ended, at
// its '}'.
func (e *encoder) collect(i int) (int, bool) {
	doc, order := e.doc, e.order
	for range chunk {
		for doc[i] != '"' && doc[i] != '}' {
			i++
		}
		if doc[i] == '}' {
			e.order = order
			return i, true
		}
		order = append(order, sortKey(doc, i)<<32|uint64(i))
		i = skipToken(doc, i)
		for doc[i] != ':' {
			i++
		}
		i = skipSpace(doc, i+1)
		// A scalar ends at a delimiter: most members of a forged set are.
		if c := doc[i]; c == '"' || c == '{' || c == '[' {
			i, _ = prefixValue(doc, i)
			continue
		}
		for i < len(doc) && doc[i] != ',' && doc[i] != '}' && !space[doc[i]] {
			i++
		}
	}
	e.order = order
	return i, false
}

// writeSorted writes the members order[from:to]. Their values may hold
// objects that push onto order, so it is indexed afresh each time.
func (e *encoder) writeSorted(from, to int, written *int) {
	for i := from; i < to; i++ {
		e.pos = int(uint32(e.order[i]))
		e.member(written)
	}
}

// member writes the member whose name is at pos, after a comma unless it
// is the first written, or moves it to omitted.
func (e *encoder) member(written *int) {
	at, mark := e.pos, len(e.out)
	omit := e.depth == 1 && e.omit != "" && (e.doc[at+1] == e.omit[0] || e.doc[at+1] == '\\') && nameIs(e.doc, at, e.omit)
	if omit {
		e.holding++
	}
	if *written > 0 {
		e.out = append(e.out, ',')
	}
	e.out, e.pos = e.token(e.out, at)
	e.skipSpace()
	e.pos++ // ':'
	e.out = append(e.out, ':')
	valueAt := len(e.out)
	e.value()
	if omit {
		e.holding--
		e.omitted = append([]byte(nil), e.out[valueAt:]...)
		e.out = e.out[:mark]
		return
	}
	*written++
	e.maybeFlush()
}

// token writes the string token at at in the encoder's form.
func (e *encoder) token(out []byte, at int) ([]byte, int) {
	if e.python {
		return e.pythonToken(out, at)
	}
	return appendToken(out, e.doc, at)
}

func (e *encoder) array() {
	e.depth++
	e.pos++ // '['
	e.out = append(e.out, '[')
	first := true
	for !e.elements(&first) {
	}
	e.depth--
}

// elements writes up to chunk elements of an array and reports whether
// the array ended (see chunk).
func (e *encoder) elements(first *bool) bool {
	for range chunk {
		e.skipSpace()
		switch e.doc[e.pos] {
		case ']':
			e.pos++
			e.out = append(e.out, ']')
			return true
		case ',':
			e.pos++
			e.skipSpace()
		}
		if !*first {
			e.out = append(e.out, ',')
		}
		*first = false
		e.value()
		e.maybeFlush()
	}
	return false
}

// number writes a number as ECMAScript serializes its double value
// (RFC 8785 §3.2.2.3), through appendNumber. check has refused
// everything outside the double range and every integer beyond ±2^53.
func (e *encoder) number() {
	doc, start := e.doc, e.pos
	i, integer := start, true
	for ; i < len(doc); i++ {
		c := doc[i]
		if c == '.' || c == 'e' || c == 'E' {
			integer = false
		} else if !(c >= '0' && c <= '9' || c == '-' || c == '+') {
			break
		}
	}
	e.pos = i
	tok := doc[start:i]
	if !integer {
		e.floats = true
	}
	if e.python {
		e.out = appendPythonNumber(e.out, tok, integer)
		return
	}
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
