package canonical

import "strconv"

// Form is a serialization of a JSON value that a signature may be over.
// The real issuers of licverify's formats do not all sign RFC 8785:
// QuantumMeta's and QuantumLock's Python code signs
// json.dumps(doc, sort_keys=True, separators=(',', ':')). Each form is a
// faithful serialization (the value reads back from its bytes), so a
// signature over either form of a value is a signature over that value
// and no other (RATIONALE.md, "Two signed forms").
type Form uint8

const (
	// RFC8785 is the JSON Canonicalization Scheme (RFC 8785): members
	// sorted by UTF-16 code units, strings as UTF-8 with the minimal
	// escapes, numbers as ECMAScript writes them.
	RFC8785 Form = iota
	// Python is what CPython's json.dumps(v, sort_keys=True,
	// separators=(',', ':')) writes for the value json.loads reads: every
	// character outside U+0020…U+007E escaped as \uXXXX (lower-case hex,
	// a surrogate pair above U+FFFF) but for \" \\ \b \f \n \r \t;
	// members sorted by code point; a number with a fraction or an
	// exponent is a float written as repr writes it (5.0, 1e-07), one
	// without is an integer written as its digits (-0 as 0).
	Python
)

// Forms lists every form a signature is verified against, in the order
// they are tried. Adding a form is one entry here and its writer.
var Forms = [...]Form{RFC8785, Python}

// String returns the form's name as results and keyrings spell it:
// "rfc8785" or "python".
func (f Form) String() string {
	switch f {
	case RFC8785:
		return "rfc8785"
	case Python:
		return "python"
	}
	return "form(" + strconv.Itoa(int(f)) + ")"
}

// ParseForm returns the form named s ("rfc8785" or "python").
func ParseForm(s string) (Form, bool) {
	for _, f := range Forms {
		if f.String() == s {
			return f, true
		}
	}
	return 0, false
}

// TransformForm returns doc, any JSON value, serialized in form f, after
// the same strict pre-pass as [Transform] (which is TransformForm with
// [RFC8785]). Errors are of type [*Error].
func TransformForm(doc []byte, limit int, f Form) ([]byte, error) {
	if f == RFC8785 {
		return Transform(doc, limit)
	}
	if _, err := Transform(doc, limit); err != nil {
		return nil, err
	}
	s, _ := check(doc, limit, false)
	e := encoder{doc: doc, unsorted: s.unsortedCP, members: s.counts, out: make([]byte, 0, len(doc)), dup: -1, python: true}
	e.value()
	return e.out, nil
}

// SignedForm is [Signed] in form f: doc, a JSON object, serialized in
// form f without its top-level "signature" member, and that member's
// value in RFC 8785 form (nil when absent).
func SignedForm(doc []byte, limit int, f Form) (payload, signature []byte, err error) {
	m, err := NewMessage(doc, limit)
	if err != nil {
		return nil, nil, err
	}
	p, _ := m.Form(f)
	return p, m.Signature, nil
}

// Message is the signed message of a document in every form: what a
// verifier checks a signature against. Build one with [NewMessage].
type Message struct {
	// Payload is the RFC 8785 form of the document minus its top-level
	// "signature" member: the text members are read from.
	Payload []byte
	// Signature is the "signature" member's value in RFC 8785 form, or
	// nil when the document has none.
	Signature []byte

	doc    []byte
	same   bool   // every form's bytes are Payload's
	python []byte // the Python form, once written
	// unsortedCP and counts are check's record of the objects out of
	// code-point order, for writing the Python form.
	unsortedCP []uint64
	counts     map[int]int
}

// NewMessage checks doc as [Signed] does and returns its message. The
// other forms are written only when asked for, and only when they can
// differ from RFC 8785's: a document whose strings are ASCII without DEL
// and whose numbers have neither fraction nor exponent has one form.
func NewMessage(doc []byte, limit int) (*Message, error) {
	s, err := check(doc, limit, true)
	if err != nil {
		return nil, err
	}
	e := encoder{doc: doc, unsorted: s.unsorted, members: s.counts, out: make([]byte, 0, len(doc)), omit: "signature", dup: -1}
	e.value()
	if e.dup >= 0 {
		return nil, duplicateError(doc, e.dup)
	}
	m := &Message{Payload: e.out, Signature: e.omitted, doc: doc, same: !e.floats, unsortedCP: s.unsortedCP, counts: s.counts}
	for _, c := range m.Payload {
		if c >= 0x7F {
			m.same = false
			break
		}
	}
	return m, nil
}

// Form returns the message in form f, and whether those bytes are
// Payload's (so that a signature already tried against Payload need not
// be tried again).
func (m *Message) Form(f Form) (payload []byte, same bool) {
	if f == RFC8785 || m.same {
		return m.Payload, true
	}
	if m.python == nil {
		e := encoder{doc: m.doc, unsorted: m.unsortedCP, members: m.counts, out: make([]byte, 0, len(m.Payload)+len(m.Payload)/8), omit: "signature", dup: -1, python: true}
		e.value()
		m.python = e.out
	}
	return m.python, string(m.python) == string(m.Payload)
}

// Stream writes the message in form f to write, in pieces of about
// 64 KiB, and in order: the same bytes [Message.Form] returns, but the
// Python form is never held whole, so that a hash can take it as it is
// written (a large document's Python form can be three times its RFC 8785
// form: \uXXXX\uXXXX for a four-byte character).
func (m *Message) Stream(f Form, write func([]byte)) {
	if f == RFC8785 || m.same {
		write(m.Payload)
		return
	}
	if m.python != nil {
		write(m.python)
		return
	}
	e := encoder{doc: m.doc, unsorted: m.unsortedCP, members: m.counts, out: make([]byte, 0, flushSize+flushSize/4), omit: "signature", dup: -1, python: true, flush: write}
	e.value()
	if len(e.out) > 0 {
		write(e.out)
	}
}

// Differs reports whether form f may be other bytes than Payload: false
// when f is RFC 8785 or the document has one form (ASCII without DEL,
// no number with a fraction or an exponent).
func (m *Message) Differs(f Form) bool { return f != RFC8785 && !m.same }

// cmpCodePoints orders the string tokens at offsets a and b of doc by the
// code points of their values, as Python sorts str: -1, 0 or +1.
func cmpCodePoints(doc []byte, a, b int) int {
	i, j := a+1, b+1
	for {
		if doc[i] == '"' || doc[j] == '"' {
			switch {
			case doc[i] != '"':
				return 1
			case doc[j] != '"':
				return -1
			}
			return 0
		}
		var ra, rb rune
		ra, i = runeAt(doc, i)
		rb, j = runeAt(doc, j)
		if ra != rb {
			if ra < rb {
				return -1
			}
			return 1
		}
	}
}

// pythonToken writes the string token at at to out as json.dumps writes
// its value with ensure_ascii (the default), and returns out and the
// offset after the token. A long string is handed to e.flush in pieces
// too, since its Python form can be three times its size.
func (e *encoder) pythonToken(out []byte, at int) ([]byte, int) {
	doc := e.doc
	out = append(out, '"')
	j := at + 1
	for doc[j] != '"' {
		if c := doc[j]; c >= 0x20 && c < 0x7F && c != '\\' {
			out = append(out, c)
			j++
		} else {
			var r rune
			r, j = runeAt(doc, j)
			out = appendPythonRune(out, r)
		}
		if len(out) >= flushSize && e.flush != nil && e.holding == 0 {
			e.flush(out)
			out = out[:0]
		}
	}
	return append(out, '"'), j + 1
}

// appendPythonRune writes one code point as CPython's
// encode_basestring_ascii does: below DEL as RFC 8785 writes it (the same
// short escapes, controls as lower-case \u00XX), anything else as \uXXXX,
// a surrogate pair above U+FFFF.
func appendPythonRune(out []byte, r rune) []byte {
	if r < 0x7F {
		return appendRune(out, r)
	}
	if r >= 0x10000 {
		r -= 0x10000
		out = appendU(out, 0xD800+r>>10)
		return appendU(out, 0xDC00+r&0x3FF)
	}
	return appendU(out, r)
}

func appendU(out []byte, u rune) []byte {
	return append(out, '\\', 'u', hexDigits[u>>12&0xF], hexDigits[u>>8&0xF], hexDigits[u>>4&0xF], hexDigits[u&0xF])
}

// appendPythonNumber writes a number token, which check has accepted, as
// json.dumps writes what json.loads reads from it: an integer token is a
// Python int, written as its digits (-0 is 0); any other is a float,
// written as float.__repr__ does.
func appendPythonNumber(out, tok []byte, integer bool) []byte {
	if integer {
		if string(tok) == "-0" {
			return append(out, '0')
		}
		return append(out, tok...)
	}
	// check has parsed the same text: it is in the double range.
	v, _ := strconv.ParseFloat(string(tok), 64)
	return appendPythonFloat(out, v)
}

// appendPythonFloat writes v as CPython's float.__repr__ does: the
// shortest digits that read back as v; positional notation with at least
// one digit after the point when the decimal point's place n (v = 0.d ×
// 10^n) is in -4 < n <= 16, otherwise one digit, the rest after a point
// if any, and an exponent of at least two digits with its sign ("1e-07",
// "1.5e+16"). -0.0 keeps its sign.
func appendPythonFloat(out []byte, v float64) []byte {
	if v == 0 {
		if 1/v < 0 {
			return append(out, "-0.0"...)
		}
		return append(out, "0.0"...)
	}
	if v < 0 {
		out = append(out, '-')
		v = -v
	}
	var digits [17]byte
	k, n := shortestDigits(&digits, v)
	d := digits[:k]
	switch {
	case n <= -4 || n > 16:
		out = append(out, d[0])
		if k > 1 {
			out = append(out, '.')
			out = append(out, d[1:]...)
		}
		x := n - 1
		out = append(out, 'e')
		if x < 0 {
			out = append(out, '-')
			x = -x
		} else {
			out = append(out, '+')
		}
		if x < 10 {
			out = append(out, '0')
		}
		return strconv.AppendInt(out, int64(x), 10)
	case n <= 0:
		out = append(out, '0', '.')
		for range -n {
			out = append(out, '0')
		}
		return append(out, d...)
	case n >= k:
		out = append(out, d...)
		for range n - k {
			out = append(out, '0')
		}
		return append(out, '.', '0')
	default:
		out = append(out, d[:n]...)
		out = append(out, '.')
		return append(out, d[n:]...)
	}
}
