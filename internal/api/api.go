// Package api is the request/response codec every runtime shares: one
// request frame in (a small JSON header of options and the documents as
// raw byte parts), one JSON response out. The wasm module exports it, the
// Go host and the npm package call it through the module, and the test
// vectors are written in a JSON form of its requests (see [FromJSON]), so
// that every runtime answers the same bytes for the same request. The
// format is documented in wasm/ABI.md; the ops and their members are the
// table in ops.json.
package api

import (
	"errors"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/internal/msg"
	"github.com/licverify/licverify/verify"
)

// ABIVersion is the version of the request format this codec speaks, the
// module's abi_version export.
const ABIVersion = 2

// handler answers a checked request with its result, encoded. An error is
// a misuse of the request, never a verification failure: those are
// results.
type handler func(r *request) (encoded, error)

// encoded is a handler's result as JSON.
type encoded struct {
	json []byte
	// err is why the result could not be encoded.
	err error
	// undo releases what the result holds (a loaded set's handle) when
	// the answer cannot be delivered; nil when it holds nothing.
	undo func()
}

// respond is a handler's return: err, or the result write writes. Each
// handler passes a closure over its typed result: a result stored in an
// interface (or passed as a type argument) would keep the methods of every
// type it reaches, time.Time's String among them, and with it the time
// package's whole layout formatter, in the module.
func respond(err error, write func(*jsontext.Writer)) (encoded, error) {
	if err != nil {
		return encoded{}, err
	}
	w := jsontext.Writer{B: make([]byte, 0, 512)}
	write(&w)
	b, werr := w.Bytes()
	return encoded{json: b, err: werr}, nil
}

var handlers = map[string]handler{}

func register(op string, h handler) {
	if _, ok := Ops.Ops[op]; !ok {
		panic("api: op " + op + " is not in ops.json")
	}
	handlers[op] = h
}

// RequestError is a request the module cannot act on: unknown op, missing
// or mistyped members, no keys. Runtimes surface it as an exception or Go
// error, never as a result.
type RequestError struct{ Message string }

func (e *RequestError) Error() string { return "licverify: bad request: " + e.Message }

// KeyringError is a keyring the module cannot load: the host's
// configuration is wrong, whatever the document. Its response is
// {"error": "licverify: keyring: ...", "code": "<result code>"}, and
// runtimes raise it as an error carrying Code, never as a result.
type KeyringError struct {
	Code    verify.Code
	Message string
}

func (e *KeyringError) Error() string { return "licverify: keyring: " + e.Message }

func badRequest(format string, args ...any) error {
	return &RequestError{Message: msg.Sprintf(format, args...)}
}

// Handle answers one request frame. The response is a result object (it
// has a "valid" member), {"error": "licverify: bad request: ..."} for a
// request the module cannot act on, or {"error": "licverify: keyring:
// ...", "code": "..."} for a keyring that does not load.
func Handle(req []byte) []byte {
	a, err := handle(req)
	if err == nil {
		if a.err == nil {
			return a.json
		}
		// Every time a result carries was refused at parse time unless
		// RFC 3339 can write it, so this is a bug; still, no handle may
		// outlive an answer the host never got.
		if a.undo != nil {
			a.undo()
		}
		return ErrorJSON("internal: encoding the result: " + a.err.Error())
	}
	var ke *KeyringError
	if errors.As(err, &ke) {
		w := jsontext.Writer{}
		w.Raw(`{"error":`)
		w.String(ke.Error())
		w.Raw(`,"code":`)
		w.String(string(ke.Code))
		w.Raw("}")
		return w.B
	}
	var re *RequestError
	if !errors.As(err, &re) {
		re = &RequestError{Message: err.Error()}
	}
	return ErrorJSON(re.Error())
}

// ErrorJSON is the response {"error": msg}: for a request the codec cannot
// act on, and for the module's own failures (wasm/abi.go).
func ErrorJSON(msg string) []byte {
	w := jsontext.Writer{}
	w.Raw(`{"error":`)
	w.String(msg)
	w.Raw("}")
	return w.B
}

func handle(frame []byte) (encoded, error) {
	r, err := parseRequest(frame)
	if err != nil {
		return encoded{}, err
	}
	h, ok := handlers[r.op]
	if !ok {
		return encoded{}, badRequest("op %q has no handler", r.op)
	}
	return h(r)
}

// request is a frame checked against the op's members in the table: every
// member known, of its kind, within its bounds, required ones present.
type request struct {
	op    string
	vals  map[string]any      // header members, decoded to their kind's Go type
	parts map[string][][]byte // parts by name, in frame order
}

func parseRequest(frame []byte) (*request, error) {
	header, body, _, err := splitFrame(frame, MaxParts)
	if err != nil {
		return nil, err
	}
	// Counted before the strict pass, which keeps a few bytes per member:
	// a 4 MiB header of half a million members is refused for its count.
	// The first members are read loosely here; a header whose fault comes
	// before its count does is refused by the strict pass below.
	count := 0
	if !jsontext.Object(header, func(string, []byte) bool {
		count++
		return count <= MaxHeaderMembers
	}) && count > MaxHeaderMembers {
		return nil, badRequest("header has more than %d members, more than any op takes", MaxHeaderMembers)
	}
	// Strict I-JSON first: encoding/json would replace invalid UTF-8 and
	// lone surrogate escapes with U+FFFD, accept duplicate members and
	// round integers beyond 2^53. Nothing in a request is repaired.
	if err := canonical.Validate(header, MaxHeader); err != nil {
		return nil, badRequest("header: %v", err)
	}
	var opText []byte
	if !jsontext.Object(header, func(name string, value []byte) bool {
		if name == "op" {
			opText = value
		}
		return true
	}) {
		return nil, badRequest("header is not a JSON object")
	}
	op, ok := jsontext.Unquote(opText)
	if !ok && string(opText) != "null" { // null names the op "", which is unknown
		return nil, badRequest("request has no op")
	}
	spec, ok := Ops.Ops[op]
	if !ok {
		return nil, badRequest("unknown op %q", op)
	}
	r := &request{op: op, vals: map[string]any{}, parts: map[string][][]byte{}}
	// Members in header order, so that of several faults the first is
	// named, the same one on every call.
	jsontext.Object(header, func(name string, raw []byte) bool {
		if name == "op" {
			return true
		}
		m, ok := spec.Members[name]
		switch {
		case !ok:
			err = badRequest("%s has no member %q", op, name)
		case m.IsPart():
			err = badRequest("%s is sent as a part of the frame, not in the header", name)
		default:
			r.vals[name], err = m.decode(name, raw)
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	// The parts are checked in frame order and counted before any is
	// kept, then kept in slices of their exact size.
	type kept struct {
		n    int
		data [][]byte
	}
	byName := map[string]*kept{}
	eachPart(body, func(nameBytes, data []byte) bool {
		m, ok := spec.Members[string(nameBytes)]
		k := byName[string(nameBytes)]
		switch {
		case !ok:
			err = badRequest("%s has no member %q", op, string(nameBytes))
		case !m.IsPart():
			err = badRequest("%s is a header member, not a part", string(nameBytes))
		case m.Kind == KindBytes && k != nil:
			err = badRequest("part %s appears twice", string(nameBytes))
		case m.MaxItems > 0 && k != nil && k.n == m.MaxItems:
			err = badRequest("%s has more than %d parts, limit is %d per request", string(nameBytes), m.MaxItems, m.MaxItems)
		case m.NonEmpty && len(data) == 0:
			err = badRequest("%s is empty; omit it instead", string(nameBytes))
		case k == nil:
			byName[string(nameBytes)] = &kept{n: 1}
		default:
			k.n++
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range byName {
		k.data = make([][]byte, 0, k.n)
	}
	eachPart(body, func(name, data []byte) bool {
		k := byName[string(name)]
		k.data = append(k.data, data)
		return true
	})
	for name, k := range byName {
		r.parts[name] = k.data
	}
	for _, name := range spec.names() {
		if !spec.Members[name].Required {
			continue
		}
		if _, ok := r.vals[name]; ok {
			continue
		}
		if len(r.parts[name]) > 0 {
			continue
		}
		return nil, badRequest("%s is required", name)
	}
	return r, nil
}

// decode reads a header member of the table's kind.
func (m Member) decode(name string, raw []byte) (any, error) {
	if string(raw) == "null" {
		return nil, badRequest("%s is null; omit it instead", name)
	}
	switch m.Kind {
	case KindString:
		s, ok := jsontext.Unquote(raw)
		if !ok {
			return nil, badRequest("%s must be a string", name)
		}
		if m.NonEmpty && s == "" {
			return nil, badRequest("%s is empty; omit it instead", name)
		}
		return s, nil
	case KindStrings:
		// Checked and counted before anything is built, so that a header
		// of a million ids is refused for its count without holding them
		// as strings first. null is not a string: it is refused, not
		// looked up as "".
		n := 0
		if !jsontext.Each(raw, func(e []byte) bool {
			n++
			return e[0] == '"'
		}) {
			return nil, badRequest("%s must be an array of strings", name)
		}
		if m.MaxItems > 0 && n > m.MaxItems {
			return nil, badRequest("%s has %d ids, limit is %d per request", name, n, m.MaxItems)
		}
		ss, _, ok := jsontext.Strings(raw)
		if !ok {
			return nil, badRequest("%s must be an array of strings", name)
		}
		if m.NonEmpty {
			for i, s := range ss {
				if s == "" {
					return nil, badRequest("%s[%d] is empty: a license id never is", name, i)
				}
			}
		}
		return ss, nil
	case KindTime:
		s, ok := jsontext.Unquote(raw)
		if !ok {
			return nil, badRequest("%s must be an RFC 3339 date-time string", name)
		}
		t, err := verify.ParseTime(s)
		if err != nil {
			return nil, badRequest("%s %q is not an RFC 3339 date-time within years 0000-9999", name, s)
		}
		return timeValue{t.Unix(), t.Nanosecond()}, nil
	case KindInt, KindHandle:
		n, ok := jsontext.Int(raw)
		if !ok {
			return nil, badRequest("%s must be an integer", name)
		}
		if m.Min != nil && n < *m.Min {
			return nil, badRequest("%s is %d, below its minimum %d", name, n, *m.Min)
		}
		if m.Max != nil && n > *m.Max {
			return nil, badRequest("%s is %d, above its maximum %d", name, n, *m.Max)
		}
		return n, nil
	case KindBool:
		b, ok := jsontext.Bool(raw)
		if !ok {
			return nil, badRequest("%s must be true or false", name)
		}
		return b, nil
	}
	return nil, badRequest("%s has unknown kind %q", name, m.Kind)
}

// part returns a bytes member, or nil when absent.
func (r *request) part(name string) []byte {
	if p := r.parts[name]; len(p) > 0 {
		return p[0]
	}
	return nil
}

func (r *request) has(name string) bool {
	_, ok := r.vals[name]
	return ok || len(r.parts[name]) > 0
}

func (r *request) str(name string) string {
	s, _ := r.vals[name].(string)
	return s
}

func (r *request) strs(name string) []string {
	ss, _ := r.vals[name].([]string)
	return ss
}

func (r *request) int(name string) int64 {
	n, _ := r.vals[name].(int64)
	return n
}

func (r *request) flag(name string) bool {
	b, _ := r.vals[name].(bool)
	return b
}

func (r *request) time(name string) time.Time {
	t, ok := r.vals[name].(timeValue)
	if !ok {
		return time.Time{}
	}
	return time.Unix(t.sec, int64(t.nsec)).UTC()
}

// timeValue holds a decoded time member (always UTC). A time.Time stored
// in an interface, even inside a struct, keeps its String method, and
// with it all of time's layout formatting, in the module.
type timeValue struct {
	sec  int64
	nsec int
}

// seconds reads an optional whole number of seconds as a duration; the
// table bounds it so that it fits.
func (r *request) seconds(name string) time.Duration {
	return time.Duration(r.int(name)) * time.Second
}

// skew reads skew_seconds: absent means the default, 0 means no tolerance
// (verify's negative Skew).
func (r *request) skew() time.Duration {
	if !r.has("skew_seconds") {
		return 0
	}
	if r.int("skew_seconds") == 0 {
		return -1
	}
	return r.seconds("skew_seconds")
}

// keys loads the request's keyring. A keyring that does not load (a weak
// key, an unsupported alg, not a keyring at all) is the host's
// configuration, not a document: a *KeyringError, never a result that
// would look like a bad document. An empty one is misuse.
func (r *request) keys() (*verify.Keyring, error) {
	text := r.part("keys")
	if ring := cachedKeyring(text); ring != nil {
		return ring, nil
	}
	ring, err := verify.ParseKeyring(text)
	if err != nil {
		if errors.Is(err, verify.ErrMisuse) {
			return nil, badRequest("%v", err)
		}
		res := verify.Rejected(err)
		return nil, &KeyringError{Code: res.Code, Message: res.Message}
	}
	cacheKeyring(text, ring)
	return ring, nil
}

// misuseError turns a verifier's misuse error into a bad request.
func misuseError(err error) error {
	if errors.Is(err, verify.ErrMisuse) {
		return badRequest("%v", err)
	}
	return err
}
