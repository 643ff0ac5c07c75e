package verify

import (
	"bytes"
	"hash/maphash"
	"math"
	"math/bits"

	"github.com/licverify/licverify/internal/jsontext"
)

// idTable is the set of revoked ids of a full set, or of a set compacted
// after deltas. It holds offsets into the text the ids are written in, not
// strings: a set of a million ids costs a table of 2^21 four-byte slots
// (8 MiB) beside the text of its revoked_ids, which it keeps instead of
// copying. It is never changed once built, so lookups may run
// concurrently.
//
// The table is open addressing with linear probing over a power-of-two
// number of slots, at most half of them used, so a lookup reads about two
// slots. A slot is an offset into buf, 0 when empty (no id starts at
// offset 0: buf opens with '[' or '"'), with the high bits of the id's
// hash in the bits the offsets leave free, so that most probes that miss
// never read buf. The hash is maphash with a seed made per table, so no
// one can choose ids that collide.
//
// An id in the table runs from its offset to the next '"' in buf, and that
// text is its value. In canonical text this holds for every id without a
// backslash: RFC 8785 §3.2.2.2 escapes only '"', '\' and control
// characters, so an id's text is its value unless it holds an escape. A
// compacted buffer is written as '"' id '"' id '"' ..., which holds for
// every id without '"'. Every other id is kept decoded in side. Such ids
// are rare (license ids are UUIDs and the like) and decoding one is the
// only way to compare it with a lookup; a map beside the table keeps the
// table's rule simple, and, as every table id holds neither '"' nor '\', a
// lookup of an id that does goes to side alone.
type idTable struct {
	buf     []byte
	slots   []uint32
	offBits uint   // the low bits of a slot that hold the offset
	offMask uint32 // 1<<offBits - 1
	seed    maphash.Seed
	side    map[string]struct{}
	n       int
	size    int // the ids' lengths, plus one each: what compaction writes
}

// newIDTable makes an empty table for at most n ids written in buf.
func newIDTable(buf []byte, n int) *idTable {
	t := &idTable{buf: buf, seed: maphash.MakeSeed()}
	if n > 0 {
		t.slots = make([]uint32, 1<<bits.Len(uint(2*n-1)))
	}
	// Offsets are below len(buf); an id past 4 GiB (in a document whose
	// caller raised the size limit that far) goes to side.
	t.offBits = min(uint(bits.Len(uint(len(buf)))), 32)
	t.offMask = uint32(uint64(1)<<t.offBits - 1)
	return t
}

// tableID reports whether id may be held in the table: it holds neither
// '"' (which ends an id in buf) nor '\' (which no id in buf holds). It
// takes ids either way, without converting.
func tableID[T string | []byte](id T) bool {
	for i := 0; i < len(id); i++ {
		if id[i] == '"' || id[i] == '\\' {
			return false
		}
	}
	return true
}

// tag is the part of a hash that a slot keeps beside its offset; Go
// defines a shift by 64 as 0, so with no free bits every tag is 0.
func (t *idTable) tag(h uint64) uint32 { return uint32(h >> (32 + t.offBits)) }

// find returns the slot that holds id, or the empty slot where the probe
// for it ends. id must be a tableID, and the table must have slots.
func find[T string | []byte](t *idTable, h uint64, id T) (slot int, found bool) {
	mask := len(t.slots) - 1
	tag := t.tag(h)
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return i, false
		}
		if s>>t.offBits != tag {
			continue
		}
		off := int(s & t.offMask)
		end := off + len(id)
		// id holds no '"', so equal text ending at a '"' is the id at off.
		if end < len(t.buf) && t.buf[end] == '"' && string(t.buf[off:end]) == string(id) {
			return i, true
		}
	}
}

// has reports whether id is in the table.
func (t *idTable) has(id string) bool {
	if len(t.slots) > 0 && tableID(id) {
		if _, found := find(t, maphash.String(t.seed, id), id); found {
			return true
		}
	}
	_, ok := t.side[id]
	return ok
}

// len returns the number of ids in the table.
func (t *idTable) len() int { return t.n }

// add adds the id whose text is buf[off:off+len(text)]; escaped says
// that text holds an escape and id is then its decoded value (else id is
// the text). It reports false when the id is already in the table.
func (t *idTable) add(off int, id []byte, escaped bool) bool {
	if escaped || uint64(off) > math.MaxUint32 || len(t.slots) == 0 {
		if t.has(string(id)) {
			return false
		}
		t.addSide(string(id))
		return true
	}
	if _, dup := t.side[string(id)]; dup {
		return false
	}
	h := maphash.Bytes(t.seed, id)
	i, found := find(t, h, id)
	if found {
		return false
	}
	t.slots[i] = uint32(off) | t.tag(h)<<t.offBits
	t.n++
	t.size += len(id) + 1
	return true
}

func (t *idTable) addSide(id string) {
	if t.side == nil {
		t.side = map[string]struct{}{}
	}
	t.side[id] = struct{}{}
	t.n++
	t.size += len(id) + 1
}

// each calls fn with every id in the table, in no particular order. An
// id from buf is a sub-slice of it, which fn must not keep.
func (t *idTable) each(fn func(id []byte)) {
	for _, s := range t.slots {
		if s != 0 {
			off := int(s & t.offMask)
			fn(t.buf[off : off+bytes.IndexByte(t.buf[off:], '"')])
		}
	}
	for id := range t.side {
		fn([]byte(id))
	}
}

// idWriter collects the ids of a table made by compaction, whose ids are
// known to be distinct: '"' id '"' id '"' ..., with the ids that hold '"'
// or '\' set aside.
type idWriter struct {
	buf  []byte
	side []string
	n    int
}

func newIDWriter(size int) *idWriter {
	return &idWriter{buf: append(make([]byte, 0, size+1), '"')}
}

func writeID[T string | []byte](w *idWriter, id T) {
	w.n++
	if !tableID(id) {
		w.side = append(w.side, string(id))
		return
	}
	w.buf = append(w.buf, id...)
	w.buf = append(w.buf, '"')
}

// table builds the table of the ids written. They are distinct, so each
// goes in the first empty slot of its probe without comparing any text.
func (w *idWriter) table() *idTable {
	t := newIDTable(w.buf, w.n)
	for off := 1; off < len(w.buf); {
		end := off + bytes.IndexByte(w.buf[off:], '"')
		if uint64(off) > math.MaxUint32 {
			t.addSide(string(w.buf[off:end]))
		} else {
			h := maphash.Bytes(t.seed, w.buf[off:end])
			i := int(h) & (len(t.slots) - 1)
			for t.slots[i] != 0 {
				i = (i + 1) & (len(t.slots) - 1)
			}
			t.slots[i] = uint32(off) | t.tag(h)<<t.offBits
			t.n++
			t.size += end - off + 1
		}
		off = end + 1
	}
	for _, id := range w.side {
		t.addSide(id)
	}
	return t
}

// scanIDs walks raw, the canonical JSON text of an array that must hold
// non-empty strings, and calls fn with each element: its offset in raw
// and its text (a sub-slice of raw), or, when escaped, its decoded value.
func scanIDs(raw []byte, what string, fn func(i, off int, id []byte, escaped bool) *Error) *Error {
	n := len(raw)
	if n < 2 || raw[0] != '[' || raw[n-1] != ']' {
		return fail(CodeInvalidField, "%s is not an array", what)
	}
	if n == 2 {
		return nil
	}
	notString := func(i int) *Error { return fail(CodeInvalidField, "%s[%d] is not a string", what, i) }
	pos := 1
	for i := 0; ; i++ {
		if pos >= n || raw[pos] != '"' {
			return notString(i)
		}
		start := pos + 1
		end := jsontext.StringEnd(raw, start)
		if end < 0 {
			return notString(i)
		}
		escaped := bytes.IndexByte(raw[start:end], '\\') >= 0
		if end == start {
			return fail(CodeInvalidField, "%s[%d] is empty", what, i)
		}
		id := raw[start:end]
		if escaped {
			var ok bool
			// canonical has refused what it cannot decode (lone
			// surrogates, bytes that are not UTF-8).
			if id, ok = jsontext.Unescape(id); !ok {
				return notString(i)
			}
		}
		if err := fn(i, start, id, escaped); err != nil {
			return err
		}
		pos = end + 1
		switch {
		case pos < n && raw[pos] == ',':
			pos++
		case pos == n-1:
			return nil
		default:
			return notString(i + 1)
		}
	}
}
