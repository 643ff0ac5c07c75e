// Package msg formats the messages of the packages the WebAssembly module
// links (canonical, verify, internal/api, wasm) without fmt: fmt's printer
// works by reflection, and fmt with the reflect code it keeps alive is a
// large share of the module. msg covers only the verbs and argument types
// those messages use, with output byte-identical to fmt's for them. The
// tests prove both halves: every format string those packages pass, and
// every argument type, is within the supported set (callsites_test.go),
// and the output equals fmt's for a table of edge cases and under fuzzing
// (msg_test.go).
//
// Anything else is written in a form that is visibly wrong, as fmt writes
// its own mistakes ("%!x(unsupported)"), and never panics.
package msg

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// Sprintf is fmt.Sprintf for:
//
//   - the verbs %v, %s, %d, %q and the literal %%, without flags, width,
//     precision or argument indexes;
//   - arguments that are nil, a string, a value of a predeclared integer
//     type (int, int8 … uint64, uintptr, so also byte and rune), an error
//     or a Stringer (a String() string method), as fmt takes them: an
//     error's Error and a Stringer's String for %v, %s and %q, strconv.Quote
//     for %q of a string, strconv.QuoteRune for %q of an integer.
//
// A verb that does not suit its argument is written as fmt writes it
// ("%!d(string=x)"), as are a missing argument ("%!d(MISSING)"), extra
// arguments ("%!(EXTRA int=1)") and a trailing % ("%!(NOVERB)"). Named
// types without those methods (type Code string) are not recognized: msg
// has no reflection, so they are written as "%!s(unsupported)"; convert
// them with string(c) at the call site. A panic in an Error or String
// method is written in fmt's "%!v(PANIC=Error method: ...)" form; fmt
// writes "<nil>" instead when the receiver is a nil pointer, which msg
// cannot tell without reflection.
func Sprintf(format string, args ...any) string {
	var p printer
	p.doPrintf(format, args)
	return string(p.buf)
}

// Errorf is fmt.Errorf for what [Sprintf] supports plus %w: an error
// argument of %w is written as %v would write it and wrapped, so that
// errors.Is, errors.As and errors.Unwrap see it; with several %w the
// error's Unwrap returns all of them that are errors, as fmt.Errorf's does.
func Errorf(format string, args ...any) error {
	p := printer{wrapErrs: true}
	p.doPrintf(format, args)
	s := string(p.buf)
	switch len(p.wrapped) {
	case 0:
		return errors.New(s)
	case 1:
		// A %w of a non-error still counts, and Unwrap returns nil, as
		// with fmt.Errorf.
		w := &wrapError{msg: s}
		w.err, _ = args[p.wrapped[0]].(error)
		return w
	}
	var errs []error
	for _, i := range p.wrapped {
		if e, ok := args[i].(error); ok {
			errs = append(errs, e)
		}
	}
	return &wrapErrors{msg: s, errs: errs}
}

type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

type wrapErrors struct {
	msg  string
	errs []error
}

func (e *wrapErrors) Error() string   { return e.msg }
func (e *wrapErrors) Unwrap() []error { return e.errs }

// stringer is fmt.Stringer, declared here so that msg does not import fmt.
type stringer interface{ String() string }

type printer struct {
	buf []byte
	// wrapErrs is set by Errorf: only there is %w a verb.
	wrapErrs bool
	// wrapped holds the argument numbers %w consumed, in order.
	wrapped []int
	// panicking is set while a panic value from an Error or String method
	// is written, so that a second panic there cannot recurse.
	panicking bool
}

// doPrintf follows fmt's doPrintf for the subset: one argument per verb,
// in order, and the leftovers reported after the text.
func (p *printer) doPrintf(format string, args []any) {
	argNum := 0
	for i := 0; i < len(format); {
		if format[i] != '%' {
			j := i + 1
			for j < len(format) && format[j] != '%' {
				j++
			}
			p.buf = append(p.buf, format[i:j]...)
			i = j
			continue
		}
		i++
		if i == len(format) {
			p.buf = append(p.buf, "%!(NOVERB)"...)
			break
		}
		verb, size := utf8.DecodeRuneInString(format[i:])
		i += size
		switch {
		case verb == '%':
			p.buf = append(p.buf, '%')
		case verb != 'v' && verb != 's' && verb != 'd' && verb != 'q' && verb != 'w':
			// A flag, width, index or other verb: the rest of the
			// directive is left as text, and no argument is consumed, so
			// the arguments are reported as EXTRA too.
			p.bang(verb)
			p.buf = append(p.buf, "(unsupported)"...)
		case argNum >= len(args):
			p.bang(verb)
			p.buf = append(p.buf, "(MISSING)"...)
		default:
			if verb == 'w' && p.wrapErrs {
				p.wrapped = append(p.wrapped, argNum)
			}
			p.printArg(args[argNum], verb)
			argNum++
		}
	}
	if argNum < len(args) {
		p.buf = append(p.buf, "%!(EXTRA "...)
		for i, arg := range args[argNum:] {
			if i > 0 {
				p.buf = append(p.buf, ", "...)
			}
			if arg == nil {
				p.buf = append(p.buf, "<nil>"...)
			} else if name := typeName(arg); name != "" {
				p.buf = append(p.buf, name...)
				p.buf = append(p.buf, '=')
				p.printArg(arg, 'v')
			} else {
				p.buf = append(p.buf, "unsupported"...)
			}
		}
		p.buf = append(p.buf, ')')
	}
}

// bang starts fmt's error form: "%!" and the verb.
func (p *printer) bang(verb rune) {
	p.buf = append(p.buf, '%', '!')
	p.buf = utf8.AppendRune(p.buf, verb)
}

func (p *printer) printArg(arg any, verb rune) {
	if arg == nil {
		if verb == 'v' {
			p.buf = append(p.buf, "<nil>"...)
		} else {
			p.badVerb(verb, nil)
		}
		return
	}
	// The predeclared types come first, as in fmt: they have no methods.
	switch a := arg.(type) {
	case string:
		p.fmtString(a, verb, arg)
	case int:
		p.fmtInteger(uint64(a), true, verb, arg)
	case int8:
		p.fmtInteger(uint64(a), true, verb, arg)
	case int16:
		p.fmtInteger(uint64(a), true, verb, arg)
	case int32:
		p.fmtInteger(uint64(a), true, verb, arg)
	case int64:
		p.fmtInteger(uint64(a), true, verb, arg)
	case uint:
		p.fmtInteger(uint64(a), false, verb, arg)
	case uint8:
		p.fmtInteger(uint64(a), false, verb, arg)
	case uint16:
		p.fmtInteger(uint64(a), false, verb, arg)
	case uint32:
		p.fmtInteger(uint64(a), false, verb, arg)
	case uint64:
		p.fmtInteger(a, false, verb, arg)
	case uintptr:
		p.fmtInteger(uint64(a), false, verb, arg)
	case error:
		if verb == 'w' && p.wrapErrs {
			verb = 'v'
		}
		if verb == 'v' || verb == 's' || verb == 'q' {
			p.handleMethod(verb, "Error", a.Error)
		} else {
			p.unsupported(verb)
		}
	case stringer:
		if verb == 'v' || verb == 's' || verb == 'q' {
			p.handleMethod(verb, "String", a.String)
		} else {
			p.unsupported(verb)
		}
	default:
		p.unsupported(verb)
	}
}

func (p *printer) fmtString(s string, verb rune, arg any) {
	switch verb {
	case 'v', 's':
		p.buf = append(p.buf, s...)
	case 'q':
		p.buf = strconv.AppendQuote(p.buf, s)
	default:
		p.badVerb(verb, arg)
	}
}

// fmtInteger takes u as fmt does: a signed value converted to uint64.
func (p *printer) fmtInteger(u uint64, signed bool, verb rune, arg any) {
	switch verb {
	case 'v', 'd':
		if signed {
			p.buf = strconv.AppendInt(p.buf, int64(u), 10)
		} else {
			p.buf = strconv.AppendUint(p.buf, u, 10)
		}
	case 'q':
		// fmt's fmtQc: beyond the last code point is the replacement
		// character (a negative value is beyond it, as a uint64).
		r := rune(u)
		if u > utf8.MaxRune {
			r = utf8.RuneError
		}
		p.buf = strconv.AppendQuoteRune(p.buf, r)
	default:
		p.badVerb(verb, arg)
	}
}

// handleMethod writes the result of an Error or String method, or, if it
// panics, fmt's catchPanic form of the panic value.
func (p *printer) handleMethod(verb rune, name string, method func() string) {
	s, r, panicked := call(method)
	if !panicked {
		p.fmtString(s, verb, nil)
		return
	}
	p.bang(verb)
	p.buf = append(p.buf, "(PANIC="...)
	p.buf = append(p.buf, name...)
	p.buf = append(p.buf, " method: "...)
	if p.panicking {
		// fmt panics here; msg must not.
		p.buf = append(p.buf, "%!v(PANIC)"...)
	} else {
		p.panicking = true
		p.printArg(r, 'v')
		p.panicking = false
	}
	p.buf = append(p.buf, ')')
}

// call returns method's result, or what it panicked with. panicked is
// kept apart from r because a panic value may be nil.
func call(method func() string) (s string, r any, panicked bool) {
	defer func() {
		if panicked {
			r = recover()
		}
	}()
	panicked = true
	s = method()
	panicked = false
	return s, nil, false
}

// badVerb is fmt's form for a verb its argument does not take:
// "%!d(string=x)", with the argument as %v writes it.
func (p *printer) badVerb(verb rune, arg any) {
	name := typeName(arg)
	if arg != nil && name == "" {
		p.unsupported(verb)
		return
	}
	p.bang(verb)
	p.buf = append(p.buf, '(')
	if arg == nil {
		p.buf = append(p.buf, "<nil>"...)
	} else {
		p.buf = append(p.buf, name...)
		p.buf = append(p.buf, '=')
		p.printArg(arg, 'v')
	}
	p.buf = append(p.buf, ')')
}

// unsupported is written where fmt would need reflection: for a type msg
// does not know, or a verb fmt would apply to a value's fields.
func (p *printer) unsupported(verb rune) {
	p.bang(verb)
	p.buf = append(p.buf, "(unsupported)"...)
}

// typeName is reflect.TypeOf(arg).String() for the predeclared types msg
// formats, and "" for any other.
func typeName(arg any) string {
	switch arg.(type) {
	case string:
		return "string"
	case int:
		return "int"
	case int8:
		return "int8"
	case int16:
		return "int16"
	case int32:
		return "int32"
	case int64:
		return "int64"
	case uint:
		return "uint"
	case uint8:
		return "uint8"
	case uint16:
		return "uint16"
	case uint32:
		return "uint32"
	case uint64:
		return "uint64"
	case uintptr:
		return "uintptr"
	}
	return ""
}
