package canonical

// The duplicate detection of this package before it read names in place:
// every name decoded into a string and looked up in a map as it is read.
// It is kept here, for tests only, as the reference that the in-place
// detection must match exactly: same code, same offset, same message, for
// every input.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// RefCheck lets the external tests reach the reference.
var RefCheck = refCheck

// check validates doc and, when wantObject, requires a top-level object.
func refCheck(doc []byte, limit int, wantObject bool) error {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if len(doc) > limit {
		return &Error{Code: CodeInputTooLarge, Offset: -1,
			Msg: fmt.Sprintf("input is %d bytes, limit is %d", len(doc), limit)}
	}
	s := refScanner{doc: doc}
	s.skipSpace()
	if wantObject && (s.pos >= len(doc) || doc[s.pos] != '{') {
		return s.fail(CodeMalformedJSON, "document is not a JSON object")
	}
	if err := s.value(0); err != nil {
		return err
	}
	s.skipSpace()
	if s.pos != len(doc) {
		return s.fail(CodeMalformedJSON, "data after the JSON value")
	}
	return nil
}

type refScanner struct {
	doc []byte
	pos int
}

func (s *refScanner) fail(code, msg string) *Error {
	return &Error{Code: code, Offset: s.pos, Msg: msg}
}

func (s *refScanner) skipSpace() {
	for s.pos < len(s.doc) {
		switch s.doc[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value scans one JSON value; depth is the nesting of its container.
func (s *refScanner) value(depth int) error {
	if s.pos >= len(s.doc) {
		return s.fail(CodeMalformedJSON, "unexpected end of input")
	}
	switch c := s.doc[s.pos]; {
	case c == '{':
		return s.object(depth + 1)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		_, err := s.str(false)
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if strings.HasPrefix(string(s.doc[s.pos:min(len(s.doc), s.pos+5)]), lit) {
				s.pos += len(lit)
				return nil
			}
		}
		return s.fail(CodeMalformedJSON, fmt.Sprintf("invalid character %q", c))
	}
}

func (s *refScanner) object(depth int) error {
	if depth > MaxDepth {
		return s.fail(CodeMalformedJSON, fmt.Sprintf("nesting deeper than %d levels", MaxDepth))
	}
	s.pos++ // '{'
	s.skipSpace()
	if s.pos < len(s.doc) && s.doc[s.pos] == '}' {
		s.pos++
		return nil
	}
	seen := make(map[string]struct{})
	for {
		s.skipSpace()
		if s.pos >= len(s.doc) || s.doc[s.pos] != '"' {
			return s.fail(CodeMalformedJSON, "expected a member name")
		}
		start := s.pos
		name, err := s.str(true)
		if err != nil {
			return err
		}
		if _, dup := seen[name]; dup {
			return &Error{Code: CodeDuplicateKey, Offset: start,
				Msg: fmt.Sprintf("duplicate member name %q", truncate(name))}
		}
		seen[name] = struct{}{}
		s.skipSpace()
		if s.pos >= len(s.doc) || s.doc[s.pos] != ':' {
			return s.fail(CodeMalformedJSON, "expected ':' after a member name")
		}
		s.pos++
		s.skipSpace()
		if err := s.value(depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.doc) {
			return s.fail(CodeMalformedJSON, "unexpected end of input in an object")
		}
		switch s.doc[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.fail(CodeMalformedJSON, "expected ',' or '}' in an object")
		}
	}
}

func (s *refScanner) array(depth int) error {
	if depth > MaxDepth {
		return s.fail(CodeMalformedJSON, fmt.Sprintf("nesting deeper than %d levels", MaxDepth))
	}
	s.pos++ // '['
	s.skipSpace()
	if s.pos < len(s.doc) && s.doc[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		if err := s.value(depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.doc) {
			return s.fail(CodeMalformedJSON, "unexpected end of input in an array")
		}
		switch s.doc[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.fail(CodeMalformedJSON, "expected ',' or ']' in an array")
		}
	}
}

// str scans a string starting at its opening quote. With decode it returns
// the unescaped value, which duplicate detection needs; values are only
// validated.
func (s *refScanner) str(decode bool) (string, error) {
	s.pos++ // opening quote
	var b strings.Builder
	for {
		if s.pos >= len(s.doc) {
			return "", s.fail(CodeMalformedJSON, "unterminated string")
		}
		c := s.doc[s.pos]
		switch {
		case c == '"':
			s.pos++
			return b.String(), nil
		case c < 0x20:
			return "", s.fail(CodeMalformedJSON, "control character in a string")
		case c == '\\':
			r, err := s.escape()
			if err != nil {
				return "", err
			}
			if decode {
				b.WriteRune(r)
			}
		case c < utf8.RuneSelf:
			s.pos++
			if decode {
				b.WriteByte(c)
			}
		default:
			r, size := utf8.DecodeRune(s.doc[s.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", s.fail(CodeMalformedJSON, "invalid UTF-8")
			}
			if decode {
				b.Write(s.doc[s.pos : s.pos+size])
			}
			s.pos += size
		}
	}
}

// escape decodes one escape sequence; a surrogate must come as a
// high-low pair (RFC 8259 §7, RFC 7493 §2.1).
func (s *refScanner) escape() (rune, error) {
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
		return 0, s.fail(CodeMalformedJSON, fmt.Sprintf("invalid escape %q", string([]byte{'\\', c})))
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

// number scans an RFC 8259 §6 number and rejects integers that a double
// cannot hold exactly (RFC 7493 §2.2).
func (s *refScanner) number() error {
	start := s.pos
	if s.doc[s.pos] == '-' {
		s.pos++
	}
	intStart := s.pos
	switch {
	case s.pos < len(s.doc) && s.doc[s.pos] == '0':
		s.pos++
	case s.pos < len(s.doc) && s.doc[s.pos] >= '1' && s.doc[s.pos] <= '9':
		s.digits()
	default:
		return s.fail(CodeMalformedJSON, "invalid number")
	}
	intDigits := string(s.doc[intStart:s.pos])
	integer := true
	if s.pos < len(s.doc) && s.doc[s.pos] == '.' {
		integer = false
		s.pos++
		if s.digits() == 0 {
			return s.fail(CodeMalformedJSON, "invalid number: no digits after '.'")
		}
	}
	if s.pos < len(s.doc) && (s.doc[s.pos] == 'e' || s.doc[s.pos] == 'E') {
		integer = false
		s.pos++
		if s.pos < len(s.doc) && (s.doc[s.pos] == '+' || s.doc[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return s.fail(CodeMalformedJSON, "invalid number: no digits in the exponent")
		}
	}
	if integer && (len(intDigits) > len(maxSafeInteger) ||
		len(intDigits) == len(maxSafeInteger) && intDigits > maxSafeInteger) {
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

func (s *refScanner) digits() int {
	n := 0
	for s.pos < len(s.doc) && s.doc[s.pos] >= '0' && s.doc[s.pos] <= '9' {
		s.pos++
		n++
	}
	return n
}
