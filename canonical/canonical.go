// Package canonical turns JSON documents into the exact bytes licverify
// signs and verifies: the RFC 8785 (JCS) canonical form, behind a strict
// I-JSON (RFC 7493) pre-pass.
//
// Numbers are serialized as ECMAScript does (RFC 8785 §3.2.2.3) by the
// package's own code; github.com/gowebpki/jcs is the reference, and the
// tests hold every output equal to jcs.Transform's and every number equal
// to jcs.NumberToJSON's. The pre-pass rejects what jcs would otherwise
// accept or silently alter:
//
//   - input larger than the caller's limit ([CodeInputTooLarge]);
//   - nesting deeper than [MaxDepth] levels;
//   - integers outside ±2^53, which jcs would round so that two different
//     documents share one canonical form and therefore one signature, and
//     numbers in any spelling whose canonical form would be such an integer
//     (1e16, 9007199254740994.0);
//   - duplicate member names at any depth, compared after unescaping, so
//     "a" and "\u0061" collide ([CodeDuplicateKey]);
//   - invalid UTF-8, lone surrogates, a byte order mark, trailing data.
//
// Nothing is ever repaired: a document is either canonicalized exactly or
// rejected with an [*Error] whose Code is one of the spec's result codes.
//
// # Cost
//
// Names are never decoded into strings: they are compared and sorted where
// they lie in the input. Besides its output (at most the input's size),
// [Signed] or [Transform] of an n-byte document allocates n/8 bytes when
// some object's members are out of canonical order, and 8 bytes per member
// of such an object while it is written; time is linear in n plus the
// sorting of those objects, and an object out of order skips over its
// members' values once before writing them, so objects out of order
// nested d deep cost up to d passes (d <= [MaxDepth]). A document of
// millions of members, such as a forged revocation set, therefore costs
// about three times its size in memory at most, whatever it holds.
//
// For most use cases, use [Signed]: it returns the canonical bytes of a
// document minus its top-level "signature" member, which is what every
// licverify format signs.
package canonical

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/licverify/licverify/internal/msg"
)

// Result codes carried by [*Error]. They are the same strings as the
// verifier's result codes.
const (
	CodeMalformedJSON = "malformed_json"
	CodeDuplicateKey  = "duplicate_key"
	CodeInputTooLarge = "input_too_large"
)

const (
	// DefaultLimit is the input size limit for every document but
	// revocation sets.
	DefaultLimit = 1 << 20
	// MaxDepth is the deepest nesting of arrays and objects accepted. The
	// top-level value counts as depth 1. Deeper input would otherwise
	// exhaust the JavaScript engine's stack when the module runs in a
	// browser.
	MaxDepth = 64
	// maxSafeInteger is 2^53: every integer of at most this magnitude is
	// exactly representable as an IEEE-754 double.
	maxSafeInteger = "9007199254740992"
)

// Error is the error returned for a document that is rejected. Code is one
// of [CodeMalformedJSON], [CodeDuplicateKey] or [CodeInputTooLarge].
type Error struct {
	Code string
	// Offset is the byte offset in the input where the problem was found,
	// or -1 where no single offset applies.
	Offset int
	Msg    string
}

func (e *Error) Error() string {
	if e.Offset >= 0 {
		return msg.Sprintf("canonical: %s at byte %d", e.Msg, e.Offset)
	}
	return "canonical: " + e.Msg
}

// Transform returns the RFC 8785 canonical form of doc, which may be any
// JSON value. doc must be at most limit bytes; limit <= 0 means
// [DefaultLimit]. Errors are of type [*Error].
func Transform(doc []byte, limit int) ([]byte, error) {
	s, err := check(doc, limit, false)
	if err != nil {
		return nil, err
	}
	e := encoder{doc: doc, unsorted: s.unsorted, members: s.counts, out: make([]byte, 0, len(doc)), dup: -1}
	e.value()
	if e.dup >= 0 {
		return nil, duplicateError(doc, e.dup)
	}
	return e.out, nil
}

// Validate runs Transform's strict I-JSON pre-pass on doc without writing
// the canonical form: nil exactly when Transform would succeed, otherwise
// the same [*Error]. For inputs that are checked but never signed, such as
// a request's header.
func Validate(doc []byte, limit int) error {
	s, err := check(doc, limit, false)
	if err != nil {
		return err
	}
	if d := s.firstDuplicate(len(doc)); d >= 0 {
		return duplicateError(doc, d)
	}
	return nil
}

// Signed returns the signed message of a document: the RFC 8785 canonical
// form of doc, which must be a JSON object, without its top-level
// "signature" member. signature is that member's value as canonical JSON
// text (a string value keeps its quotes), or nil when the member is absent.
// doc must be at most limit bytes; limit <= 0 means [DefaultLimit]. Errors
// are of type [*Error].
func Signed(doc []byte, limit int) (payload, signature []byte, err error) {
	m, err := NewMessage(doc, limit)
	if err != nil {
		return nil, nil, err
	}
	return m.Payload, m.Signature, nil
}

// check validates doc and, when wantObject, requires a top-level object.
// It returns the scanner, which knows which objects have members out of
// order.
//
// Duplicate names are found where it is cheapest: in an object whose
// names arrive in canonical order, by comparing each with the one before;
// in an object out of order, by sorting its names' offsets, which the
// encoder does anyway (encoder.dup) and [Validate] does here. The error
// reported is the first in document order, as if every name had been
// looked up as it was read: a duplicate before the point where scanning
// failed is reported instead of that failure.
func check(doc []byte, limit int, wantObject bool) (*scanner, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if len(doc) > limit {
		return nil, &Error{Code: CodeInputTooLarge, Offset: -1,
			Msg: msg.Sprintf("input is %d bytes, limit is %d", len(doc), limit)}
	}
	// Members are kept as uint32 offsets.
	if len(doc) >= math.MaxUint32 {
		return nil, &Error{Code: CodeInputTooLarge, Offset: -1,
			Msg: msg.Sprintf("input is %d bytes, at most 4 GiB is supported", len(doc))}
	}
	if hasBOM(doc) {
		return nil, bomError()
	}
	s := &scanner{doc: doc}
	s.skipSpace()
	if wantObject && (s.pos >= len(doc) || doc[s.pos] != '{') {
		return nil, s.fail(CodeMalformedJSON, "document is not a JSON object")
	}
	err := s.value(0)
	if err == nil {
		s.skipSpace()
		if s.pos != len(doc) {
			err = s.fail(CodeMalformedJSON, "data after the JSON value")
		}
	}
	if err != nil {
		// Every error of the scan is an *Error with an offset.
		if d := s.firstDuplicate(err.(*Error).Offset); d >= 0 {
			return nil, duplicateError(doc, d)
		}
		return nil, err
	}
	return s, nil
}

// hasBOM reports whether doc starts with the UTF-8 byte order mark. It
// is an error like any byte that starts no value, but the message says
// what it is: a text editor's addition, not a typing mistake.
func hasBOM(doc []byte) bool { return len(doc) >= 3 && string(doc[:3]) == "\xef\xbb\xbf" }

func bomError() *Error {
	return &Error{Code: CodeMalformedJSON, Offset: -1,
		Msg: "the text starts with a byte order mark (EF BB BF), refused rather than stripped (RFC 8259 §8.1): save it as UTF-8 without one"}
}

// invalidStart is the message for a byte c that starts no JSON value: the
// character for ASCII, the byte in hex otherwise (a byte above 0x7F is
// part of a UTF-8 sequence, not a character of its own).
func invalidStart(c byte) string {
	if c < utf8.RuneSelf {
		return msg.Sprintf("invalid character %q", c)
	}
	const hex = "0123456789ABCDEF"
	return "invalid byte 0x" + string([]byte{hex[c>>4], hex[c&15]}) + ", which starts no JSON value"
}

func duplicateError(doc []byte, at int) *Error {
	return &Error{Code: CodeDuplicateKey, Offset: at,
		Msg: msg.Sprintf("duplicate member name %q", truncate(string(decodeToken(nil, doc, at))))}
}

type scanner struct {
	doc []byte
	pos int
	// unsorted has a bit set at the offset of each object whose members
	// are not in canonical order; nil when there is none.
	unsorted []uint64
	// unsortedCP is unsorted for code-point order, the Python form's
	// (form.go): the two orders differ only for names holding characters
	// above U+FFFF, so it is nil for almost every document.
	unsortedCP []uint64
	// counts holds the number of members of each object out of order of
	// more than bigObject members, by offset.
	counts map[int]int
}

func (s *scanner) markUnsorted(open int) { mark(&s.unsorted, len(s.doc), open) }

func mark(set *[]uint64, n, open int) {
	if *set == nil {
		*set = make([]uint64, n/64+1)
	}
	(*set)[open/64] |= 1 << (open % 64)
}

// isUnsorted reports whether markUnsorted marked the object opened at
// open.
func isUnsorted(unsorted []uint64, open int) bool {
	return unsorted != nil && unsorted[open/64]&(1<<(open%64)) != 0
}

func (s *scanner) fail(code, msg string) *Error {
	return &Error{Code: code, Offset: s.pos, Msg: msg}
}

func (s *scanner) skipSpace() {
	s.pos = skipSpace(s.doc, s.pos)
}

// skipSpace returns the offset of the first byte at or after i that is
// not JSON whitespace. Loops over the document work on locals: in
// WebAssembly a field read through a pointer is a memory access on every
// turn.
func skipSpace(doc []byte, i int) int {
	for i < len(doc) && space[doc[i]] {
		i++
	}
	return i
}

// space and plain classify bytes: JSON whitespace, and the bytes a string
// holds as they are (not '"', '\\', a control character or part of a
// multi-byte character).
var space, plain = func() (sp, pl [256]bool) {
	for _, c := range " \t\n\r" {
		sp[c] = true
	}
	for c := 0x20; c < utf8.RuneSelf; c++ {
		pl[c] = c != '"' && c != '\\'
	}
	return
}()

// value scans one JSON value; depth is the nesting of its container.
func (s *scanner) value(depth int) error {
	if s.pos >= len(s.doc) {
		return s.fail(CodeMalformedJSON, "unexpected end of input")
	}
	switch c := s.doc[s.pos]; {
	case c == '{':
		return s.object(depth + 1)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		return s.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	default:
		// Compared in place: a string built from the bytes and a search
		// cost ten times more in WebAssembly.
		rest := s.doc[s.pos:]
		switch {
		case len(rest) >= 4 && string(rest[:4]) == "true":
			s.pos += 4
			return nil
		case len(rest) >= 5 && string(rest[:5]) == "false":
			s.pos += 5
			return nil
		case len(rest) >= 4 && string(rest[:4]) == "null":
			s.pos += 4
			return nil
		}
		return s.fail(CodeMalformedJSON, invalidStart(c))
	}
}

func (s *scanner) object(depth int) error {
	if depth > MaxDepth {
		return s.fail(CodeMalformedJSON, msg.Sprintf("nesting deeper than %d levels", MaxDepth))
	}
	open := s.pos
	s.pos++ // '{'
	s.skipSpace()
	if s.pos < len(s.doc) && s.doc[s.pos] == '}' {
		s.pos++
		return nil
	}
	o := objectScan{open: open, prev: -1, sorted: true, sortedCP: true}
	for {
		if done, err := s.members(&o, depth); done || err != nil {
			return err
		}
	}
}

// objectScan is the state of the scan of an object's members. Names in
// canonical order are checked as they come, each against the one before
// it; from the first out of order on, the object is marked for sorting,
// which finds its duplicates.
type objectScan struct {
	open, prev, n int
	// sorted and sortedCP: the names so far are in UTF-16 and in
	// code-point order.
	sorted, sortedCP bool
}

// members scans up to chunk members of an object and reports whether the
// object ended.
func (s *scanner) members(o *objectScan, depth int) (done bool, err error) {
	for range chunk {
		s.skipSpace()
		if s.pos >= len(s.doc) || s.doc[s.pos] != '"' {
			return true, s.fail(CodeMalformedJSON, "expected a member name")
		}
		start := s.pos
		if err := s.str(); err != nil {
			return true, err
		}
		if (o.sorted || o.sortedCP) && o.prev >= 0 {
			c, cp := cmpNamesBoth(s.doc, o.prev, start)
			switch {
			case c == 0 && o.sorted:
				return true, duplicateError(s.doc, start)
			case c > 0 && o.sorted:
				o.sorted = false
				s.markUnsorted(o.open)
			}
			if cp > 0 && o.sortedCP {
				o.sortedCP = false
				mark(&s.unsortedCP, len(s.doc), o.open)
			}
		}
		o.prev = start
		s.skipSpace()
		if s.pos >= len(s.doc) || s.doc[s.pos] != ':' {
			return true, s.fail(CodeMalformedJSON, "expected ':' after a member name")
		}
		s.pos++
		s.skipSpace()
		if err := s.value(depth); err != nil {
			return true, err
		}
		s.skipSpace()
		if s.pos >= len(s.doc) {
			return true, s.fail(CodeMalformedJSON, "unexpected end of input in an object")
		}
		o.n++
		switch s.doc[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			if !o.sorted && o.n > bigObject {
				if s.counts == nil {
					s.counts = map[int]int{}
				}
				s.counts[o.open] = o.n
			}
			return true, nil
		default:
			return true, s.fail(CodeMalformedJSON, "expected ',' or '}' in an object")
		}
	}
	return false, nil
}

// bigObject is the size, in members, from which check records how many
// members an object out of order has, so that the encoder sizes its sort
// once.
const bigObject = 1024

func (s *scanner) array(depth int) error {
	if depth > MaxDepth {
		return s.fail(CodeMalformedJSON, msg.Sprintf("nesting deeper than %d levels", MaxDepth))
	}
	s.pos++ // '['
	s.skipSpace()
	if s.pos < len(s.doc) && s.doc[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		if done, err := s.elements(depth); done || err != nil {
			return err
		}
	}
}

// chunk is the most elements or members one call of a loop over a
// container takes. V8 keeps a running WebAssembly function in the tier it
// entered, so one call over the million ids of a revocation set would run
// in its baseline tier throughout; each chunk is a new call, which picks
// up the optimized code.
const chunk = 4096

// elements scans up to chunk elements of an array and reports whether the
// array ended.
func (s *scanner) elements(depth int) (done bool, err error) {
	for range chunk {
		s.skipSpace()
		if err := s.value(depth); err != nil {
			return true, err
		}
		s.skipSpace()
		if s.pos >= len(s.doc) {
			return true, s.fail(CodeMalformedJSON, "unexpected end of input in an array")
		}
		switch s.doc[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return true, nil
		default:
			return true, s.fail(CodeMalformedJSON, "expected ',' or ']' in an array")
		}
	}
	return false, nil
}

// str validates the string starting at its opening quote. Nothing is
// decoded: names are read in place (names.go).
func (s *scanner) str() error {
	s.pos++ // opening quote
	for {
		i, doc := s.pos, s.doc
		for i < len(doc) && plain[doc[i]] {
			i++
		}
		s.pos = i
		if s.pos >= len(s.doc) {
			return s.fail(CodeMalformedJSON, "unterminated string")
		}
		c := s.doc[s.pos]
		switch {
		case c == '"':
			s.pos++
			return nil
		case c < 0x20:
			return s.fail(CodeMalformedJSON, "control character in a string")
		case c == '\\':
			if _, err := s.escape(); err != nil {
				return err
			}
		default:
			r, size := utf8.DecodeRune(s.doc[s.pos:])
			if r == utf8.RuneError && size <= 1 {
				return s.fail(CodeMalformedJSON, "invalid UTF-8")
			}
			s.pos += size
		}
	}
}

// escape decodes one escape sequence; a surrogate must come as a
// high-low pair (RFC 8259 §7, RFC 7493 §2.1).
func (s *scanner) escape() (rune, error) {
	if s.pos+1 >= len(s.doc) {
		return 0, s.fail(CodeMalformedJSON, "unterminated escape")
	}
	c := s.doc[s.pos+1]
	switch c {
	case '"', '\\', '/':
		s.pos += 2
		return rune(c), nil
	case 'b':
		s.pos += 2
		return '\b', nil
	case 'f':
		s.pos += 2
		return '\f', nil
	case 'n':
		s.pos += 2
		return '\n', nil
	case 'r':
		s.pos += 2
		return '\r', nil
	case 't':
		s.pos += 2
		return '\t', nil
	case 'u':
	default:
		return 0, s.fail(CodeMalformedJSON, msg.Sprintf("invalid escape %q", string([]byte{'\\', c})))
	}
	hi, ok := hex4(s.doc, s.pos+2)
	if !ok {
		return 0, s.fail(CodeMalformedJSON, "invalid \\u escape")
	}
	if !utf16.IsSurrogate(hi) {
		s.pos += 6
		return hi, nil
	}
	if hi >= 0xDC00 {
		return 0, s.fail(CodeMalformedJSON, "lone low surrogate")
	}
	if s.pos+7 >= len(s.doc) || s.doc[s.pos+6] != '\\' || s.doc[s.pos+7] != 'u' {
		return 0, s.fail(CodeMalformedJSON, "lone high surrogate")
	}
	lo, ok := hex4(s.doc, s.pos+8)
	if !ok || lo < 0xDC00 || lo > 0xDFFF {
		return 0, s.fail(CodeMalformedJSON, "lone high surrogate")
	}
	s.pos += 12
	return utf16.DecodeRune(hi, lo), nil
}

func hex4(doc []byte, at int) (rune, bool) {
	if at+4 > len(doc) {
		return 0, false
	}
	var r rune
	for _, c := range doc[at : at+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	return r, true
}

// number scans an RFC 8259 §6 number and rejects integers that a double
// cannot hold exactly (RFC 7493 §2.2).
func (s *scanner) number() error {
	doc, i := s.doc, s.pos
	start := i
	if doc[i] == '-' {
		i++
	}
	intStart := i
	switch {
	case i < len(doc) && doc[i] == '0':
		i++
	case i < len(doc) && doc[i] >= '1' && doc[i] <= '9':
		i = skipDigits(doc, i)
	default:
		s.pos = i
		return s.fail(CodeMalformedJSON, "invalid number")
	}
	intEnd := i
	integer := true
	if i < len(doc) && doc[i] == '.' {
		integer = false
		j := skipDigits(doc, i+1)
		if j == i+1 {
			s.pos = j
			return s.fail(CodeMalformedJSON, "invalid number: no digits after '.'")
		}
		i = j
	}
	if i < len(doc) && (doc[i] == 'e' || doc[i] == 'E') {
		integer = false
		i++
		if i < len(doc) && (doc[i] == '+' || doc[i] == '-') {
			i++
		}
		j := skipDigits(doc, i)
		if j == i {
			s.pos = j
			return s.fail(CodeMalformedJSON, "invalid number: no digits in the exponent")
		}
		i = j
	}
	s.pos = i
	intDigits := doc[intStart:intEnd]
	if integer && (len(intDigits) > len(maxSafeInteger) ||
		len(intDigits) == len(maxSafeInteger) && string(intDigits) > maxSafeInteger) {
		return &Error{Code: CodeMalformedJSON, Offset: start,
			Msg: "integer " + truncate(string(s.doc[start:s.pos])) + " is outside ±2^53 and cannot be represented exactly"}
	}
	if !integer {
		// RFC 8785 §3.2.2.3 writes every double of magnitude below 1e21
		// without exponent or fraction, so 1e16 would come out as an
		// integer literal beyond ±2^53, which the rule above refuses.
		// Refusing the value in any spelling keeps the canonical form
		// acceptable input (a fixed point).
		v, err := strconv.ParseFloat(string(s.doc[start:s.pos]), 64)
		if err != nil {
			return &Error{Code: CodeMalformedJSON, Offset: start,
				Msg: "number " + truncate(string(s.doc[start:s.pos])) + " is outside the IEEE-754 double range"}
		}
		// The test is on the exact decimal value, before rounding:
		// 9007199254740993.0 rounds to 2^53 but is beyond it. Rounding
		// can only blur the two boundaries, so only values that round
		// onto one of them need the exact comparison.
		a := math.Abs(v)
		beyond := a > 1<<53 && a < 1e21
		if a == 1<<53 || a == 1e21 {
			text := string(s.doc[start:s.pos])
			beyond = cmpDecimal(text, maxSafeInteger) > 0 && cmpDecimal(text, "1000000000000000000000") < 0
		}
		if beyond {
			return &Error{Code: CodeMalformedJSON, Offset: start,
				Msg: "number " + truncate(string(s.doc[start:s.pos])) + " is beyond ±2^53 and would be an integer in canonical form"}
		}
	}
	return nil
}

// cmpDecimal compares the magnitude of the JSON number text num with the
// integer ref (decimal digits, no leading zero) exactly: -1, 0 or +1.
func cmpDecimal(num, ref string) int {
	num = strings.TrimPrefix(num, "-")
	mant, exp := num, int64(0)
	if i := strings.IndexAny(num, "eE"); i >= 0 {
		mant = num[:i]
		e := strings.TrimPrefix(num[i+1:], "+")
		neg := strings.HasPrefix(e, "-")
		e = strings.TrimPrefix(e, "-")
		for _, c := range e {
			// Saturate: any exponent this large decides the comparison.
			if exp < 1<<40 {
				exp = exp*10 + int64(c-'0')
			}
		}
		if neg {
			exp = -exp
		}
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	// The value is 0.digits × 10^point.
	point := int64(len(intPart)) + exp
	trimmed := strings.TrimLeft(digits, "0")
	point -= int64(len(digits) - len(trimmed))
	digits = strings.TrimRight(trimmed, "0")
	if digits == "" {
		return -1 // zero
	}
	if point != int64(len(ref)) {
		if point < int64(len(ref)) {
			return -1
		}
		return 1
	}
	for i := 0; i < max(len(digits), len(ref)); i++ {
		a, b := byte('0'), byte('0')
		if i < len(digits) {
			a = digits[i]
		}
		if i < len(ref) {
			b = ref[i]
		}
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	return 0
}

// skipDigits returns the offset of the first byte at or after i that is
// not a decimal digit.
func skipDigits(doc []byte, i int) int {
	for i < len(doc) && doc[i] >= '0' && doc[i] <= '9' {
		i++
	}
	return i
}

// truncate keeps error messages bounded whatever the input.
func truncate(v string) string {
	const max = 40
	if len(v) <= max {
		return v
	}
	return v[:max] + "…"
}

// IsCode reports whether err is an [*Error] with the given code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
