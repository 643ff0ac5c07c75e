//go:build !wasm

// FromJSON is for hosts and tests, which write requests as JSON objects;
// the module never reads one, so it is left out of the wasm build, the
// only code of the codec that needs encoding/json (it must copy tokens
// that are not I-JSON exactly as spelled, for the vectors that send them).

package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/msg"
)

// FromJSON turns a request written as one JSON object, the form of the
// test vectors, into a frame. Members of the op's table that travel as
// parts (kinds bytes and bytes[]) are given as the document's text in a
// JSON string (an array of them for bytes[]), or, for bytes that are not
// UTF-8 text, as "<member>_b64": standard base64 (an array for bytes[]).
// Every other member is copied into the header as its JSON text,
// unchanged, so that what the vector holds is exactly what the module
// reads. An op or member the table lacks goes into the header as it is:
// the module refuses it, as a vector may require.
func FromJSON(text []byte) ([]byte, error) {
	// The strings that become parts are decoded below; a lone surrogate
	// escape would become U+FFFD there, so the object is checked strictly
	// first. Header members are copied as they are and need no check.
	members, err := objectMembers(text)
	if err != nil {
		return nil, err
	}
	var op string
	_ = json.Unmarshal(members["op"], &op)
	spec := Ops.Ops[op]
	req := NewRequest(op)
	names := make([]string, 0, len(members))
	for k := range members {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		raw := members[name]
		if name == "op" {
			continue
		}
		base, b64 := strings.CutSuffix(name, "_b64")
		m, ok := spec.Members[base]
		if !ok || !m.IsPart() || (!b64 && base != name) {
			// Compact keeps every token as spelled (a lone surrogate
			// escape, a big integer) and drops only the vector file's
			// layout, so that an error's byte offset in the header is the
			// same for every binding that writes its header compactly.
			var c bytes.Buffer
			if err := json.Compact(&c, raw); err != nil {
				return nil, msg.Errorf("%s: %v", name, err)
			}
			req.SetRaw(name, c.Bytes())
			continue
		}
		var items []json.RawMessage
		if m.Kind == KindBytesN {
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, msg.Errorf("%s: want an array of strings", name)
			}
		} else {
			items = []json.RawMessage{raw}
		}
		for i, item := range items {
			if err := canonical.Validate(item, MaxRequest); err != nil {
				return nil, msg.Errorf("%s[%d]: %v (write bytes that are not text as %s_b64)", name, i, err, base)
			}
			var s string
			if err := json.Unmarshal(item, &s); err != nil {
				return nil, msg.Errorf("%s[%d]: want a string", name, i)
			}
			data := []byte(s)
			if b64 {
				var err error
				if data, err = base64.StdEncoding.Strict().DecodeString(s); err != nil {
					return nil, msg.Errorf("%s[%d]: %v", name, i, err)
				}
			}
			req.Part(base, data)
		}
	}
	return req.Encode()
}

// MustFromJSON is FromJSON for requests written in tests; it panics on a
// request that cannot be framed.
func MustFromJSON(text string) []byte {
	b, err := FromJSON([]byte(text))
	if err != nil {
		panic(err)
	}
	return b
}

// objectMembers returns the members of a JSON object, refusing a name
// that appears twice (a map would keep one of them silently).
func objectMembers(text []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, msg.Errorf("request is not a JSON object")
	}
	members := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, msg.Errorf("request is not a JSON object: %w", err)
		}
		name := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, msg.Errorf("request member %s: %w", name, err)
		}
		if _, dup := members[name]; dup {
			return nil, msg.Errorf("request member %s appears twice", name)
		}
		members[name] = raw
	}
	if _, err := dec.Token(); err != nil {
		return nil, msg.Errorf("request is not a JSON object: %w", err)
	}
	if dec.More() {
		return nil, msg.Errorf("data after the request object")
	}
	return members, nil
}
