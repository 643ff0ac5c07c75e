package canonical

import (
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// encoder writes the RFC 8785 form of a document that check has accepted,
// in one pass straight into out. Building a tree of the whole document
// first (as jcs.Transform does) costs about fifteen times the input for a
// revocation set of a million ids; here the cost is the output plus, per
// object, its members' extents.
type encoder struct {
	scanner
	out []byte
	// omit names a top-level member to leave out; its canonical value goes
	// to omitted instead.
	omit    string
	omitted []byte
	depth   int
}

func (e *encoder) value() {
	e.skipSpace()
	switch c := e.doc[e.pos]; {
	case c == '{':
		e.object()
	case c == '[':
		e.array()
	case c == '"':
		e.str()
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

// segment is one member of an object being written: its decoded name and
// the extent of `"name":value` in out.
type segment struct {
	name       string
	start, end int
}

func (e *encoder) object() {
	e.depth++
	defer func() { e.depth-- }()
	e.pos++ // '{'
	base := len(e.out)
	e.out = append(e.out, '{')
	var segs []segment
	sorted := true
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
		// check has validated the name; decoding it again cannot fail.
		name, _ := e.scanner.str(true)
		start := len(e.out)
		e.out = appendString(e.out, name)
		e.skipSpace()
		e.pos++ // ':'
		e.out = append(e.out, ':')
		valueAt := len(e.out)
		e.value()
		if e.depth == 1 && e.omit != "" && name == e.omit {
			e.omitted = append([]byte(nil), e.out[valueAt:]...)
			e.out = e.out[:start]
			continue
		}
		if len(segs) > 0 && utf16Compare(segs[len(segs)-1].name, name) > 0 {
			sorted = false
		}
		segs = append(segs, segment{name: name, start: start, end: len(e.out)})
	}
	if !sorted {
		// Members arrived out of order: copy them aside once and write
		// them back sorted by UTF-16 code units (RFC 8785 §3.2.3).
		body := append([]byte(nil), e.out[base+1:]...)
		off := base + 1
		slices.SortFunc(segs, func(a, b segment) int { return utf16Compare(a.name, b.name) })
		e.out = e.out[:base+1]
		for i, s := range segs {
			if i > 0 {
				e.out = append(e.out, ',')
			}
			e.out = append(e.out, body[s.start-off:s.end-off]...)
		}
	} else {
		// In order already: only the commas are missing.
		e.insertCommas(segs)
	}
	e.out = append(e.out, '}')
}

// insertCommas puts a comma between consecutive members written back to
// back, working from the end so each byte moves once.
func (e *encoder) insertCommas(segs []segment) {
	if len(segs) < 2 {
		return
	}
	n := len(segs) - 1
	old := len(e.out)
	e.out = append(e.out, make([]byte, n)...)
	dst := len(e.out)
	src := old
	for i := len(segs) - 1; i >= 1; i-- {
		size := src - segs[i].start
		dst -= size
		copy(e.out[dst:], e.out[segs[i].start:src])
		dst--
		e.out[dst] = ','
		src = segs[i].start
	}
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

// str writes the string at pos in RFC 8785 §3.2.2.2 form: only '"', '\\'
// and control characters escaped, the short escapes where JSON has them,
// otherwise \u00xx in lowercase hex; everything else as raw UTF-8.
func (e *encoder) str() {
	// Fast path: no escapes in the input means the text is already
	// canonical (check refused raw control characters).
	end := e.pos + 1
	for end < len(e.doc) && e.doc[end] != '"' && e.doc[end] != '\\' {
		end++
	}
	if e.doc[end] == '"' {
		e.out = append(e.out, e.doc[e.pos:end+1]...)
		e.pos = end + 1
		return
	}
	v, _ := e.scanner.str(true)
	e.out = appendString(e.out, v)
}

const hexDigits = "0123456789abcdef"

func appendString(out []byte, v string) []byte {
	out = append(out, '"')
	for i := 0; i < len(v); {
		c := v[i]
		if c >= utf8.RuneSelf {
			_, size := utf8.DecodeRuneInString(v[i:])
			out = append(out, v[i:i+size]...)
			i += size
			continue
		}
		switch c {
		case '"':
			out = append(out, '\\', '"')
		case '\\':
			out = append(out, '\\', '\\')
		case '\b':
			out = append(out, '\\', 'b')
		case '\f':
			out = append(out, '\\', 'f')
		case '\n':
			out = append(out, '\\', 'n')
		case '\r':
			out = append(out, '\\', 'r')
		case '\t':
			out = append(out, '\\', 't')
		default:
			if c < 0x20 {
				out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			} else {
				out = append(out, c)
			}
		}
		i++
	}
	return append(out, '"')
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

// utf16Compare orders strings by their UTF-16 code units (RFC 8785 §3.2.3).
func utf16Compare(a, b string) int {
	for len(a) > 0 && len(b) > 0 {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return utf16Key(ra) - utf16Key(rb)
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

// utf16Key maps a code point to its UTF-16 code units as one number that
// orders like them: below U+10000 the code point, otherwise the surrogate
// pair, which sorts below U+E000…U+FFFF.
func utf16Key(r rune) int {
	if r < 0x10000 {
		return int(r) << 16
	}
	hi, lo := utf16.EncodeRune(r)
	return int(hi)<<16 | int(lo)
}
