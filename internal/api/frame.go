package api

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sort"
	"unicode/utf8"

	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/internal/msg"
)

// A request is a frame (wasm/ABI.md, "Requests"):
//
//	frame  = magic header-length header part*
//	magic  = "LVR2"
//	header-length = uint32, little-endian
//	header = a strict I-JSON object: "op" and the op's header members
//	part   = name-length(uint8) name data-length(uint32 LE) data
//
// Every document, keyring, state file and fingerprint travels as a part:
// its exact bytes, never the contents of a JSON string, so that no host
// decodes, repairs or escapes it on the way to the verifier.
const Magic = "LVR2"

// Size bounds of a frame. MaxRequest is the largest document any op
// accepts (a 64 MiB revocation set) plus a fixed 8 MiB envelope for the
// header, the keyring and the framing, so that a document up to its limit
// always fits, however it is spelled.
const (
	MaxHeader   = 4 << 20
	MaxRequest  = 64<<20 + 8<<20
	maxPartName = 64
)

// Count bounds of a frame, from the table: no op takes more parts than
// MaxParts (each bytes member once, a bytes[] member up to its max_items)
// or more header members than MaxHeaderMembers (op and the op's own).
// Each is checked before anything is kept per part or per member, so that
// what a frame costs depends on its size, never on how finely it is cut.
var MaxParts, MaxHeaderMembers = Ops.counts()

// Part is one named byte member of a request.
type Part struct {
	Name string
	Data []byte
}

// Frame returns the request frame of a header (the JSON object text) and
// parts, in order.
func Frame(header []byte, parts ...Part) []byte {
	n := len(Magic) + 4 + len(header)
	for _, p := range parts {
		n += 1 + len(p.Name) + 4 + len(p.Data)
	}
	b := make([]byte, 0, n)
	b = append(b, Magic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	b = append(b, header...)
	for _, p := range parts {
		b = append(b, byte(len(p.Name)))
		b = append(b, p.Name...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p.Data)))
		b = append(b, p.Data...)
	}
	return b
}

// SplitFrame returns a frame's header and parts, in order; the parts' data
// are sub-slices of b. Its errors are bad requests. Unlike the module, it
// takes any number of parts: hosts and tests take apart frames they
// hold, over the count bounds too.
func SplitFrame(b []byte) ([]byte, []Part, error) {
	header, body, n, err := splitFrame(b, -1)
	if err != nil {
		return nil, nil, err
	}
	parts := make([]Part, 0, n)
	eachPart(body, func(name, data []byte) bool {
		// Parts of one name (deltas) share its string.
		if k := len(parts); k > 0 && parts[k-1].Name == string(name) {
			parts = append(parts, Part{Name: parts[k-1].Name, Data: data})
		} else {
			parts = append(parts, Part{Name: string(name), Data: data})
		}
		return true
	})
	return header, parts, nil
}

// splitFrame checks a frame's layout and returns its header, the bytes of
// its parts (body, for eachPart) and how many parts there are. It holds
// nothing per part, and stops at the first part beyond maxParts (unless
// that is negative), so that a frame of millions of empty parts costs one
// short walk rather than a record of each.
func splitFrame(b []byte, maxParts int) (header, body []byte, n int, err error) {
	if len(b) > MaxRequest {
		return nil, nil, 0, badRequest("request is %d bytes, limit is %d", len(b), MaxRequest)
	}
	if !bytes.HasPrefix(b, []byte(Magic)) {
		if len(bytes.TrimLeft(b, " \t\r\n")) > 0 && bytes.TrimLeft(b, " \t\r\n")[0] == '{' {
			return nil, nil, 0, badRequest("a JSON request is ABI version 1; this module speaks version %d: send a frame (wasm/ABI.md)", 2)
		}
		return nil, nil, 0, badRequest("request does not start with %q", Magic)
	}
	b = b[len(Magic):]
	if len(b) < 4 {
		return nil, nil, 0, badRequest("request ends inside the header length")
	}
	hn := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if hn > MaxHeader {
		return nil, nil, 0, badRequest("header is %d bytes, limit is %d", hn, MaxHeader)
	}
	if uint64(hn) > uint64(len(b)) {
		return nil, nil, 0, badRequest("request ends inside the header")
	}
	header, body = b[:hn], b[hn:]
	for b = body; len(b) > 0; n++ {
		if n == maxParts {
			return nil, nil, 0, badRequest("request has more than %d parts, more than any op takes", maxParts)
		}
		nn := int(b[0])
		b = b[1:]
		if nn == 0 || nn > maxPartName || nn > len(b) {
			return nil, nil, 0, badRequest("part %d: bad name length %d", n, nn)
		}
		name := b[:nn]
		b = b[nn:]
		if len(b) < 4 {
			return nil, nil, 0, badRequest("part %q: request ends inside its length", string(name))
		}
		dn := binary.LittleEndian.Uint32(b)
		b = b[4:]
		if uint64(dn) > uint64(len(b)) {
			return nil, nil, 0, badRequest("part %q is %d bytes, but only %d remain", string(name), dn, len(b))
		}
		b = b[dn:]
	}
	return header, body, n, nil
}

// eachPart calls fn with each part of a body splitFrame accepted, in
// order, until fn returns false. data is a sub-slice of body.
func eachPart(body []byte, fn func(name, data []byte) bool) {
	for b := body; len(b) > 0; {
		nn := int(b[0])
		name := b[1 : 1+nn]
		b = b[1+nn:]
		dn := int(binary.LittleEndian.Uint32(b))
		data := b[4 : 4+dn : 4+dn]
		b = b[4+dn:]
		if !fn(name, data) {
			return
		}
	}
}

// Request builds a frame member by member: the form hosts use (host, the
// CLI, the vector runners).
type Request struct {
	op     string
	header map[string][]byte
	parts  []Part
	err    error
}

// NewRequest starts a request for op.
func NewRequest(op string) *Request {
	return &Request{op: op, header: map[string][]byte{}}
}

// Set adds a header member: a string, []string, bool, int or int64.
// Strings must be valid UTF-8: JSON cannot carry other bytes, and a
// writer would silently replace them.
func (r *Request) Set(name string, v any) *Request {
	if s, ok := v.(string); ok && !utf8.ValidString(s) {
		r.fail(msg.Errorf("%s is not valid UTF-8", name))
		return r
	}
	if ss, ok := v.([]string); ok {
		for i, s := range ss {
			if !utf8.ValidString(s) {
				r.fail(msg.Errorf("%s[%d] is not valid UTF-8", name, i))
				return r
			}
		}
	}
	var w jsontext.Writer
	switch v := v.(type) {
	case string:
		w.String(v)
	case []string:
		w.Strings(v)
	case bool:
		w.Bool(v)
	case int:
		w.Int(int64(v))
	case int64:
		w.Int(v)
	default:
		r.fail(errors.New(name + ": a header member is a string, []string, bool, int or int64"))
		return r
	}
	return r.SetRaw(name, w.B)
}

// SetRaw adds a header member as JSON text, kept as it is.
func (r *Request) SetRaw(name string, raw []byte) *Request {
	r.header[name] = raw
	return r
}

// Part adds a byte member. A member of kind bytes[] is added once per
// item, in order.
func (r *Request) Part(name string, data []byte) *Request {
	r.parts = append(r.parts, Part{Name: name, Data: data})
	return r
}

func (r *Request) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// Encode returns the frame, or the first error of Set.
func (r *Request) Encode() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	names := make([]string, 0, len(r.header))
	for k := range r.header {
		names = append(names, k)
	}
	sort.Strings(names)
	var h bytes.Buffer
	h.WriteString(`{"op":`)
	h.Write(jsontext.AppendString(nil, r.op))
	for _, k := range names {
		if k == "op" {
			continue
		}
		h.WriteByte(',')
		h.Write(jsontext.AppendString(nil, k))
		h.WriteByte(':')
		h.Write(r.header[k])
	}
	h.WriteByte('}')
	return Frame(h.Bytes(), r.parts...), nil
}
