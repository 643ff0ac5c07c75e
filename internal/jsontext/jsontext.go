// Package jsontext reads and writes the JSON text (RFC 8259) of the
// module's requests, documents and results without encoding/json.
//
// Why it exists: encoding/json, with the reflection and fmt it brings,
// was about a fifth of the compressed .wasm (issue 14's size target). The
// module needs little of it: it reads objects, arrays, strings, integers
// and booleans out of text that canonical has already checked as strict
// I-JSON (RFC 7493), and writes a fixed set of result types. So:
//
//   - The readers ([Object], [Array], [Unquote], [Int]) expect valid JSON
//     text, as canonical.Validate or canonical.Transform accept it. On
//     such text they give exactly what encoding/json.Unmarshal gives (the
//     tests hold them to it). On other text they never panic, and may
//     refuse (ok false) where encoding/json would repair: a lone surrogate
//     escape or bytes that are not UTF-8 are refused, not turned into
//     U+FFFD.
//   - The [Writer] writes what encoding/json.Marshal writes, with HTML
//     escaping off (json.Encoder.SetEscapeHTML(false)), for the types it
//     has methods for. The result types' MarshalJSON methods are built on
//     it, and tests compare every result with encoding/json's encoding of
//     the same struct.
package jsontext

import (
	"bytes"
	"errors"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/licverify/licverify/internal/timefmt"
)

// Writer appends JSON text to B. The first error (a time outside the
// years 0000–9999, which RFC 3339 cannot write) is kept in Err and stops
// nothing: the caller checks Err once at the end.
//
// Its methods are never inlined: a result writes dozens of members, and
// each inlined append with its growth path made the encoders several
// times larger in the module (10 KB of the gzipped .wasm) for no
// measurable speed.
type Writer struct {
	B   []byte
	Err error
}

// Raw appends s as it is: punctuation and member names the caller knows
// need no escaping.
//
//go:noinline
func (w *Writer) Raw(s string) { w.B = append(w.B, s...) }

// String appends s as a JSON string.
//
//go:noinline
func (w *Writer) String(s string) { w.B = AppendString(w.B, s) }

// Strings appends ss as an array of strings, or null when ss is nil (as
// encoding/json writes a nil slice).
//
//go:noinline
func (w *Writer) Strings(ss []string) {
	if ss == nil {
		w.B = append(w.B, "null"...)
		return
	}
	w.B = append(w.B, '[')
	for i, s := range ss {
		if i > 0 {
			w.B = append(w.B, ',')
		}
		w.B = AppendString(w.B, s)
	}
	w.B = append(w.B, ']')
}

// Int appends n in decimal.
//
//go:noinline
func (w *Writer) Int(n int64) { w.B = strconv.AppendInt(w.B, n, 10) }

// Bool appends true or false.
//
//go:noinline
func (w *Writer) Bool(v bool) { w.B = strconv.AppendBool(w.B, v) }

// ResultMembers appends the members every verification result starts
// with, "valid", "code" and "message", without braces.
//
//go:noinline
func (w *Writer) ResultMembers(valid bool, code, message string) {
	w.Raw(`"valid":`)
	w.Bool(valid)
	w.Raw(`,"code":`)
	w.String(code)
	w.Raw(`,"message":`)
	w.String(message)
}

// ErrYearRange is the error of a time outside the years 0000–9999, the
// same condition as time.Time.MarshalJSON's.
var ErrYearRange = errors.New("Time.MarshalJSON: year outside of range [0,9999]")

// ErrZoneRange is the error of a time whose zone offset is a day or more,
// which RFC 3339 cannot write either (time.Time.MarshalJSON refuses it).
var ErrZoneRange = errors.New("Time.MarshalJSON: timezone hour outside of range [0,23]")

// Time appends t as time.Time.MarshalJSON does: an RFC 3339 string with
// nanoseconds, trailing zeros trimmed, in t's offset.
//
//go:noinline
func (w *Writer) Time(t time.Time) {
	err := error(nil)
	if y := t.Year(); y < 0 || y > 9999 {
		err = ErrYearRange
	} else if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		err = ErrZoneRange
	}
	if err != nil {
		if w.Err == nil {
			w.Err = err
		}
		w.B = append(w.B, "null"...)
		return
	}
	w.B = append(w.B, '"')
	w.B = timefmt.AppendRFC3339(w.B, t, true)
	w.B = append(w.B, '"')
}

// Bytes returns the text written, or the first error.
func (w *Writer) Bytes() ([]byte, error) {
	if w.Err != nil {
		return nil, w.Err
	}
	return w.B, nil
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string the way encoding/json writes it
// with HTML escaping off: '"', '\\' and the controls escaped (\b, \f, \n,
// \r, \t by name, the others as \u00XX), bytes that are not UTF-8 as
// \ufffd, U+2028 and U+2029 as \u2028 and \u2029 (JavaScript line
// terminators), everything else as it is.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// isSpace reports JSON's insignificant whitespace (RFC 8259 §2).
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(text []byte, i int) int {
	for i < len(text) && isSpace(text[i]) {
		i++
	}
	return i
}

// StringEnd returns the index of the quote that closes the string whose
// first content byte is text[i], or -1. Most strings hold no escape, and
// for those two searches of the bytes up to the first quote are all it
// costs (the revocation sets' ids are read this way); a string that does
// is stepped through once.
func StringEnd(text []byte, i int) int {
	if i > len(text) {
		return -1
	}
	q := bytes.IndexByte(text[i:], '"')
	if q < 0 {
		return -1
	}
	if bytes.IndexByte(text[i:i+q], '\\') < 0 {
		return i + q
	}
	for i < len(text) && text[i] != '"' {
		if text[i] == '\\' {
			i++
		}
		i++
	}
	if i >= len(text) {
		return -1
	}
	return i
}

// ValueEnd returns the index just past the value that starts at text[i],
// or -1. It finds the extent only: the text has been checked already
// (canonical text, or text the pre-pass accepted).
func ValueEnd(text []byte, i int) int {
	if i >= len(text) {
		return -1
	}
	switch text[i] {
	case '"':
		if e := StringEnd(text, i+1); e >= 0 {
			return e + 1
		}
		return -1
	case '{', '[':
		depth := 0
		for i < len(text) {
			switch text[i] {
			case '"':
				e := StringEnd(text, i+1)
				if e < 0 {
					return -1
				}
				i = e
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	case ',', ':', '}', ']':
		return -1
	}
	start := i
	for i < len(text) {
		switch c := text[i]; {
		case c == ',' || c == '}' || c == ']' || c == ':' || isSpace(c):
			if i == start {
				return -1
			}
			return i
		}
		i++
	}
	return i
}

// Object calls fn with each member of the object that is the whole of
// text (whitespace around it allowed), in order, with the decoded name
// and the value's text, until fn returns false. ok is false when text is
// not an object, a name does not decode, or fn stopped.
func Object(text []byte, fn func(name string, value []byte) bool) bool {
	i := skipSpace(text, 0)
	if i >= len(text) || text[i] != '{' {
		return false
	}
	i = skipSpace(text, i+1)
	if i < len(text) && text[i] == '}' {
		return skipSpace(text, i+1) == len(text)
	}
	for {
		if i >= len(text) || text[i] != '"' {
			return false
		}
		e := StringEnd(text, i+1)
		if e < 0 {
			return false
		}
		name, ok := Unquote(text[i : e+1])
		if !ok {
			return false
		}
		i = skipSpace(text, e+1)
		if i >= len(text) || text[i] != ':' {
			return false
		}
		i = skipSpace(text, i+1)
		end := ValueEnd(text, i)
		if end < 0 || !fn(name, text[i:end:end]) {
			return false
		}
		var more bool
		if i, more, ok = afterValue(text, end, '}'); !more {
			return ok
		}
	}
}

// afterValue reads what follows a member or an element that ends at i: a
// comma, with more to come from next, or close, which must end the text
// (ok), or anything else (not ok).
func afterValue(text []byte, i int, close byte) (next int, more, ok bool) {
	i = skipSpace(text, i)
	if i >= len(text) {
		return 0, false, false
	}
	switch text[i] {
	case ',':
		return skipSpace(text, i+1), true, true
	case close:
		return 0, false, skipSpace(text, i+1) == len(text)
	}
	return 0, false, false
}

// Array returns the elements' text of the array that is the whole of text
// (whitespace around it allowed); ok is false when text is not an array.
// An empty array gives an empty, non-nil slice.
func Array(text []byte) (elems [][]byte, ok bool) {
	elems = [][]byte{}
	ok = Each(text, func(e []byte) bool {
		elems = append(elems, e)
		return true
	})
	if !ok {
		return nil, false
	}
	return elems, true
}

// Each calls fn with the text of each element of the array that is the
// whole of text (whitespace around it allowed), in order, until fn
// returns false; it allocates nothing, so a caller can count or check
// the elements before it builds anything. ok is false when text is not an
// array or fn stopped.
func Each(text []byte, fn func(elem []byte) bool) bool {
	i := skipSpace(text, 0)
	if i >= len(text) || text[i] != '[' {
		return false
	}
	i = skipSpace(text, i+1)
	if i < len(text) && text[i] == ']' {
		return skipSpace(text, i+1) == len(text)
	}
	for {
		end := ValueEnd(text, i)
		if end < 0 || !fn(text[i:end:end]) {
			return false
		}
		var more, ok bool
		if i, more, ok = afterValue(text, end, ']'); !more {
			return ok
		}
	}
}

// Strings returns the array of strings that is the whole of text; ok is
// false when text is not an array or an element is not a string. bad is
// the index of the first element that is not a string, or -1. A null
// element is not a string (encoding/json would read it as "").
func Strings(text []byte) (ss []string, bad int, ok bool) {
	ss, bad = []string{}, -1
	ok = Each(text, func(e []byte) bool {
		s, good := Unquote(e)
		if !good {
			bad = len(ss)
			return false
		}
		ss = append(ss, s)
		return true
	})
	if !ok {
		return nil, bad, false
	}
	return ss, -1, true
}

// Int returns the integer that is the whole of text (whitespace around it
// allowed): JSON's integer spelling, -?(0|[1-9][0-9]*), within int64, as
// encoding/json decodes into an int64. A fraction or exponent is not an
// integer here, even 1.0 or 1e2, as for encoding/json.
func Int(text []byte) (int64, bool) {
	i, j := skipSpace(text, 0), len(text)
	for j > i && isSpace(text[j-1]) {
		j--
	}
	t := text[i:j]
	d := t
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 1 && d[0] == '0' {
		return 0, false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(t), 10, 64)
	return n, err == nil
}

// Bool returns the boolean that is the whole of text (whitespace around
// it allowed).
func Bool(text []byte) (v, ok bool) {
	i, j := skipSpace(text, 0), len(text)
	for j > i && isSpace(text[j-1]) {
		j--
	}
	switch string(text[i:j]) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// Unquote decodes the string that is the whole of text (whitespace around
// it allowed; RFC 8259 §7). ok is false for anything else: another value,
// a bad escape, a control character, a lone surrogate escape, bytes that
// are not UTF-8.
func Unquote(text []byte) (string, bool) {
	i, j := skipSpace(text, 0), len(text)
	for j > i && isSpace(text[j-1]) {
		j--
	}
	if j-i < 2 || text[i] != '"' || text[j-1] != '"' || StringEnd(text, i+1) != j-1 {
		return "", false
	}
	body := text[i+1 : j-1]
	plain := true
	for _, c := range body {
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return string(body), true
	}
	out, ok := Unescape(body)
	return string(out), ok
}

// Unescape decodes the text between the quotes of a JSON string. ok is
// false for a bad escape, a control character or quote, a lone surrogate
// escape, or bytes that are not UTF-8.
func Unescape(text []byte) ([]byte, bool) {
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); {
		c := text[i]
		if c != '\\' {
			if c < 0x20 || c == '"' {
				return nil, false
			}
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(text) {
			return nil, false
		}
		switch e := text[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(text[i+2:])
			if !ok {
				return nil, false
			}
			if utf16.IsSurrogate(r) {
				lo, ok := rune(0), false
				if r < 0xdc00 && len(text) >= i+12 && text[i+6] == '\\' && text[i+7] == 'u' {
					lo, ok = hex4(text[i+8:])
				}
				if !ok || lo < 0xdc00 || lo > 0xdfff {
					return nil, false
				}
				r = utf16.DecodeRune(r, lo)
				i += 6
			}
			out = utf8.AppendRune(out, r)
			i += 6
			continue
		default:
			return nil, false
		}
		i += 2
	}
	if !utf8.Valid(out) {
		return nil, false
	}
	return out, true
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
