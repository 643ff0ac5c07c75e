package msg_test

import (
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/internal/msg"
)

// Named types as the module's messages might pass them: most are formatted
// through a method.
type (
	errString  string // a named string type with an Error method
	nameString string // ... with a String method
	both       string // an error and a Stringer: Error wins, as in fmt
	ptrError   struct{ s string }
	panicky    struct{ v any } // String panics with v
	panicError struct{ v any } // Error panics with v
	nilDeref   struct{ s string }
	plainCode  string // no methods: unsupported, see Sprintf
)

func (e errString) Error() string   { return string(e) }
func (n nameString) String() string { return string(n) }
func (b both) Error() string        { return "error:" + string(b) }
func (b both) String() string       { return "string:" + string(b) }
func (e *ptrError) Error() string   { return e.s }
func (p panicky) String() string    { panic(p.v) }
func (p panicError) Error() string  { panic(p.v) }
func (n *nilDeref) Error() string   { return n.s }

// runtimeError is what a recovered index out of range is: the likeliest
// panic value wasm/abi.go formats.
func runtimeError() (err any) {
	defer func() { err = recover() }()
	var s []int
	i := 3
	_ = s[i]
	return nil
}

// basic holds values of the predeclared types msg formats; fmt and msg
// must agree on them for every verb, the ones that do not suit them
// included ("%!d(string=x)").
var basic = []any{
	nil,
	"", "a", "hello, world", "%d %s %%", "\xff", "a\xc0b\xed\xa0\x80", `"quoted" 'single' \back`,
	"\x00\x01\a\b\f\n\r\t\v\x1b\x7f", "é日本語😀", "\u2028\u2029\ufeff\u200b", "\U0010ffff", "\ufffd",
	0, 1, -1, 42, math.MaxInt, math.MinInt,
	int8(-128), int8(127), int16(-32768), int16(0x7fff), int32(-1), int32('x'), int32(0x10ffff), int32(0x110000),
	int32(0xd800), int32(math.MinInt32), int64(0), int64(-12345), int64(math.MinInt64), int64(math.MaxInt64),
	int64(1 << 53), uint(0), uint(math.MaxUint), uint8(0), uint8('a'), uint8('\''), uint8('\\'), uint8(0x80),
	uint8(0xff), uint8('\n'), uint16(0xffff), uint16(0xd7ff), uint32(0), uint32(math.MaxUint32),
	uint32(0x10ffff), uint32(0x110000), uint64(math.MaxUint64), uint64(0x7f), uintptr(0), uintptr(1 << 40),
}

// methods holds values fmt formats with Error or String. For %v, %s and %q
// fmt and msg agree; other verbs msg reports as unsupported.
var methods = []any{
	errors.New("boom"), errors.New(""), errors.New("bad \"x\"\n\xff"),
	fmt.Errorf("wrapped: %w", io.EOF), fmt.Errorf("two: %w, %w", io.EOF, io.ErrUnexpectedEOF),
	msg.Errorf("msg wrapped: %w", io.ErrClosedPipe),
	errString("named error é"), nameString("named stringer \x00"), both("x"),
	&ptrError{"pointer receiver"}, time.Duration(0), 1500 * time.Millisecond, -time.Hour,
	time.Duration(math.MinInt64), panicky{"boom"}, panicky{errors.New("err value")}, panicky{42},
	panicky{nil}, panicError{"boom"}, runtimeError(), error(errString("as error")),
}

func TestSprintfMatchesFmt(t *testing.T) {
	for _, verb := range []string{"%v", "%s", "%d", "%q"} {
		for _, v := range basic {
			want := fmt.Sprintf(verb, v)
			if got := msg.Sprintf(verb, v); got != want {
				t.Errorf("Sprintf(%q, %#v) = %q, fmt %q", verb, v, got, want)
			}
		}
	}
	for _, verb := range []string{"%v", "%s", "%q"} {
		for _, v := range methods {
			want := fmt.Sprintf(verb, v)
			if got := msg.Sprintf(verb, v); got != want {
				t.Errorf("Sprintf(%q, %#v) = %q, fmt %q", verb, v, got, want)
			}
		}
	}
}

// The forms of the module's messages, and fmt's reports of too few or too
// many arguments, a trailing % and %w outside Errorf.
func TestSprintfFormats(t *testing.T) {
	cases := []struct {
		format string
		args   []any
	}{
		{"", nil},
		{"no verbs", nil},
		{"100%%", nil},
		{"%%%d%%", []any{7}},
		{"%s[%d]", []any{"keys", 3}},
		{"key %d (kid %q): %s", []any{2, "k\"1", "weak"}},
		{"%s is %d, below the minimum %d", []any{"n", int64(-5), int64(0)}},
		{"invalid character %q", []any{byte('\x01')}},
		{"invalid escape %q", []any{`\x`}},
		{"header is %d bytes, limit is %d", []any{uint32(70000), 65536}},
		{"proof lifetime %s exceeds the maximum %s", []any{25 * time.Hour, 24 * time.Hour}},
		{"%s[%d]: %v (write bytes that are not text as %s_b64)", []any{"ids", 1, errors.New("bad"), "ids"}},
		{"internal: panic: %v", []any{runtimeError()}},
		{"internal: panic: %v", []any{"a string"}},
		{"internal: panic: %v", []any{42}},
		{"internal: panic: %v", []any{nil}},
		{"%d %d", []any{1}},
		{"%s", nil},
		{"%q%v", nil},
		{"", []any{1, "x", nil, int8(-1)}},
		{"%d", []any{1, "extra"}},
		{"trailing %", nil},
		{"trailing %", []any{1}},
		{"%w", []any{"not an error"}},
		{"%w", []any{nil}},
		{"%w", []any{5}},
		{"é%s日%d😀", []any{"本", 1}},
	}
	for _, c := range cases {
		want := fmt.Sprintf(c.format, c.args...)
		if got := msg.Sprintf(c.format, c.args...); got != want {
			t.Errorf("Sprintf(%q, %#v...) = %q, fmt %q", c.format, c.args, got, want)
		}
	}
}

// unwrapped is what errors.Unwrap or Unwrap() []error return.
func unwrapped(err error) []error {
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		return u.Unwrap()
	}
	return nil
}

func TestErrorfMatchesFmt(t *testing.T) {
	target := &ptrError{"target"}
	cases := []struct {
		format string
		args   []any
	}{
		{"plain", nil},
		{"plain %%", nil},
		{"%s is not valid UTF-8", []any{"ids"}},
		{"%s[%d]: %v", []any{"ids", 2, io.EOF}}, // %v does not wrap
		{"request is not a JSON object: %w", []any{io.EOF}},
		{"request member %s: %w", []any{"keys", target}},
		{"%w: key %d (kid %q)", []any{io.ErrUnexpectedEOF, 1, "k"}}, // verify's misuse
		{"%w: %w", []any{io.EOF, target}},
		{"%w, %v, %w", []any{io.EOF, io.ErrClosedPipe, target}},
		{"%w", []any{fmt.Errorf("inner: %w", io.EOF)}},
		{"%w", []any{"not an error"}},
		{"%w", []any{nil}},
		{"%w and %w", []any{7, io.EOF}},
		{"%w %w", []any{nil, "x"}},
		{"%w", nil},
		{"%w", []any{io.EOF, "extra"}},
		{"%q", []any{panicError{"boom"}}},
	}
	for _, c := range cases {
		want := fmt.Errorf(c.format, c.args...)
		got := msg.Errorf(c.format, c.args...)
		if got.Error() != want.Error() {
			t.Errorf("Errorf(%q, %#v...) = %q, fmt %q", c.format, c.args, got.Error(), want.Error())
		}
		if g, w := unwrapped(got), unwrapped(want); !reflect.DeepEqual(g, w) {
			t.Errorf("Errorf(%q, %#v...) unwraps to %#v, fmt to %#v", c.format, c.args, g, w)
		}
		for _, a := range c.args {
			if e, ok := a.(error); ok && errors.Is(got, e) != errors.Is(want, e) {
				t.Errorf("Errorf(%q, %#v...): errors.Is(_, %v) = %v, fmt %v", c.format, c.args, e, errors.Is(got, e), errors.Is(want, e))
			}
		}
	}
	err := msg.Errorf("outer: %w", msg.Errorf("middle: %w", target))
	var pe *ptrError
	if !errors.As(err, &pe) || pe != target || !errors.Is(err, target) {
		t.Errorf("errors.As/Is do not find the error wrapped two levels down in %v", err)
	}
}

// Outside the supported set the output is visibly wrong, and nothing
// panics, whatever the argument.
func TestUnsupported(t *testing.T) {
	var nilPtr *nilDeref
	var nilIface error = nilPtr
	nested := panicError{panicError{"inner"}}
	cases := []struct {
		format string
		args   []any
		want   string
	}{
		{"%x", []any{"ab"}, "%!x(unsupported)%!(EXTRA string=ab)"},
		{"%5d", []any{1}, "%!5(unsupported)d%!(EXTRA int=1)"},
		{"%+v", []any{1}, "%!+(unsupported)v%!(EXTRA int=1)"},
		{"%[1]s", []any{"a"}, "%![(unsupported)1]s%!(EXTRA string=a)"},
		{"%v", []any{true}, "%!v(unsupported)"},
		{"%s", []any{[]byte("b")}, "%!s(unsupported)"},
		{"%v", []any{struct{ A int }{1}}, "%!v(unsupported)"},
		{"%s", []any{plainCode("invalid_field")}, "%!s(unsupported)"},
		{"%v", []any{3.5}, "%!v(unsupported)"},
		{"%d", []any{errors.New("x")}, "%!d(unsupported)"},
		{"%d", []any{time.Second}, "%!d(unsupported)"},
		{"%w", []any{errors.New("x")}, "%!w(unsupported)"}, // %w outside Errorf
		{"", []any{errors.New("x")}, "%!(EXTRA unsupported)"},
		// fmt writes "<nil>" for a nil pointer receiver; msg cannot tell one.
		{"%v", []any{nilIface}, "%!v(PANIC=Error method: runtime error: invalid memory address or nil pointer dereference)"},
		// fmt panics on a panic while it writes a panic value.
		{"%v", []any{nested}, "%!v(PANIC=Error method: %!v(PANIC=Error method: %!v(PANIC)))"},
		{"%\xff", []any{1}, "%!\ufffd(unsupported)%!(EXTRA int=1)"}, // a verb that is not UTF-8
	}
	for _, c := range cases {
		if got := msg.Sprintf(c.format, c.args...); got != c.want {
			t.Errorf("Sprintf(%q, %#v...) = %q, want %q", c.format, c.args, got, c.want)
		}
		if got := msg.Errorf(c.format, c.args...).Error(); c.format != "%w" && got != c.want {
			t.Errorf("Errorf(%q, %#v...) = %q, want %q", c.format, c.args, got, c.want)
		}
	}
}

// FuzzSprintf: for any string and integer, the verbs and types the module
// uses are byte-identical to fmt, and an arbitrary format never panics.
func FuzzSprintf(f *testing.F) {
	f.Add("", int64(0))
	f.Add("kid \"k1\"", int64(-1))
	f.Add("\xff\x00é😀%d", int64(math.MinInt64))
	f.Add("%s[%d]: %q (%v)%", int64(0x10ffff))
	f.Fuzz(func(t *testing.T, s string, n int64) {
		check := func(format string, args ...any) {
			t.Helper()
			// %w is a verb only in Errorf.
			if got, want := msg.Sprintf(format, args...), fmt.Sprintf(format, args...); got != want && !strings.Contains(format, "%w") {
				t.Fatalf("Sprintf(%q, %#v...) = %q, fmt %q", format, args, got, want)
			}
			if got, want := msg.Errorf(format, args...).Error(), fmt.Errorf(format, args...).Error(); got != want {
				t.Fatalf("Errorf(%q, %#v...) = %q, fmt %q", format, args, got, want)
			}
		}
		for _, verb := range []string{"%v", "%s", "%d", "%q"} {
			check(verb, s)
			check(verb, n)
			check(verb, int(n))
			check(verb, uint32(n))
			check(verb, byte(n))
			check(verb, rune(n))
			check(verb, uint64(n))
		}
		for _, verb := range []string{"%v", "%s", "%q"} {
			check(verb, errors.New(s))
			check(verb, nameString(s))
			check(verb, time.Duration(n))
		}
		check("%s[%d]: %q (%v) %w", s, n, s, errors.New(s), errors.New(s))
		check("key %d (kid %q): %s", int(n), s, s)
		check(strings.ReplaceAll(s, "%", ""), s) // no verbs: EXTRA
		// Any format at all, with the kinds of argument the module passes.
		_ = msg.Sprintf(s, s, n, nil, errors.New(s), time.Duration(n), panicky{s})
		_ = msg.Errorf(s, io.EOF, s, n)
	})
}
