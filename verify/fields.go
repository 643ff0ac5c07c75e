package verify

import (
	"bytes"
	"strconv"
	"time"

	"github.com/licverify/licverify/internal/jsontext"
)

// fields is a JSON object by exact member name, each member's value as its
// JSON text. (encoding/json matches struct fields case-insensitively,
// which would let "License_ID" stand in for "license_id"; every document
// is read through this type instead.)
type fields map[string][]byte

// parseFields decodes a JSON object that canonical has already validated.
// what names the object in messages.
func parseFields(data []byte, what string) (fields, *Error) {
	f := fields{}
	if !jsontext.Object(data, func(name string, value []byte) bool {
		f[name] = value
		return true
	}) {
		return nil, fail(CodeInvalidField, "%s is not a JSON object", what)
	}
	return f, nil
}

func (f fields) has(name string) bool {
	_, ok := f[name]
	return ok
}

// isNull reports whether name is present with the value null.
func (f fields) isNull(name string) bool {
	return string(f[name]) == "null"
}

// optStr returns a member that may be absent, null or a string; ok is
// false for absent and null.
func (f fields) optStr(name string) (v string, ok bool, err *Error) {
	if !f.has(name) || f.isNull(name) {
		return "", false, nil
	}
	return f.str(name, true)
}

// isFingerprintHash reports whether s is "sha256:" and 64 lowercase hex
// digits, the form [FingerprintHash] writes and the only spelling of a
// binding hash (formats.md §5). Upper-case hex is refused so that a hash
// has one spelling and a byte comparison decides equality.
func isFingerprintHash(s string) bool {
	const prefix = "sha256:"
	if len(s) != len(prefix)+64 || s[:len(prefix)] != prefix {
		return false
	}
	for i := len(prefix); i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// str returns a string member. A missing member is CodeMissingField when
// required, otherwise ok is false; a member of another type is
// CodeInvalidField.
func (f fields) str(name string, required bool) (v string, ok bool, err *Error) {
	raw, present := f[name]
	if !present {
		if required {
			return "", false, fail(CodeMissingField, "%s is missing", name)
		}
		return "", false, nil
	}
	if len(raw) == 0 || raw[0] != '"' {
		return "", false, fail(CodeInvalidField, "%s is not a string", name)
	}
	if v, ok = jsontext.Unquote(raw); !ok {
		return "", false, fail(CodeInvalidField, "%s is not a string", name)
	}
	return v, true, nil
}

// nonEmpty is str for a required string that must not be empty.
func (f fields) nonEmpty(name string) (string, *Error) {
	v, _, err := f.str(name, true)
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", fail(CodeInvalidField, "%s is empty", name)
	}
	return v, nil
}

// integer returns an integer member that is >= min. canonical has already
// refused every value beyond ±2^53. Canonical JSON writes
// an integral number without fraction or exponent below 1e21, so anything
// else here is not an integer.
func (f fields) integer(name string, required bool, min int64) (v int64, ok bool, err *Error) {
	raw, present := f[name]
	if !present {
		if required {
			return 0, false, fail(CodeMissingField, "%s is missing", name)
		}
		return 0, false, nil
	}
	v, perr := strconv.ParseInt(string(raw), 10, 64)
	if perr != nil {
		return 0, false, fail(CodeInvalidField, "%s is not an integer", name)
	}
	if v < min {
		return 0, false, fail(CodeInvalidField, "%s is %d, below the minimum %d", name, v, min)
	}
	return v, true, nil
}

// boolean returns a boolean member.
func (f fields) boolean(name string, required bool) (v bool, ok bool, err *Error) {
	raw, present := f[name]
	if !present {
		if required {
			return false, false, fail(CodeMissingField, "%s is missing", name)
		}
		return false, false, nil
	}
	switch string(raw) {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, false, fail(CodeInvalidField, "%s is not a boolean", name)
}

// time returns an RFC 3339 date-time member.
func (f fields) time(name string, required bool) (t time.Time, ok bool, err *Error) {
	s, ok, err := f.str(name, required)
	if err != nil || !ok {
		return time.Time{}, ok, err
	}
	t, err = parseRFC3339(name, s)
	if err != nil {
		return time.Time{}, false, err
	}
	return t, true, nil
}

// strings returns an array-of-strings member.
func (f fields) strings(name string, required bool) (v []string, ok bool, err *Error) {
	raw, present := f[name]
	if !present {
		if required {
			return nil, false, fail(CodeMissingField, "%s is missing", name)
		}
		return nil, false, nil
	}
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false, fail(CodeInvalidField, "%s is not an array of strings", name)
	}
	v, bad, ok := jsontext.Strings(raw)
	if bad >= 0 {
		return nil, false, fail(CodeInvalidField, "%s[%d] is not a string", name, bad)
	}
	if !ok {
		return nil, false, fail(CodeInvalidField, "%s is not an array of strings", name)
	}
	return v, true, nil
}

// object returns an object member. f must have been read from canonical
// text, as every document's members are.
func (f fields) object(name string, required bool) (v fields, ok bool, err *Error) {
	raw, present := f[name]
	if !present {
		if required {
			return nil, false, fail(CodeMissingField, "%s is missing", name)
		}
		return nil, false, nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false, fail(CodeInvalidField, "%s is not an object", name)
	}
	v, err = canonicalFields(raw, name)
	return v, err == nil, err
}

// canonicalFields is parseFields for data that is canonical JSON text
// (from canonical.Signed or Transform, or a value inside such text): it
// splits the object into members without scanning, decoding or copying the
// values again, which for a revocation set of a million ids was a quarter
// of the verification. Text the splitter does not take goes through
// parseFields, so the two can only differ in speed.
func canonicalFields(data []byte, what string) (fields, *Error) {
	return canonicalMembers(data, what, nil)
}

// memberSet is a set of member names; a nil *memberSet holds every name.
// Besides the names it keeps which lengths they have, so that most other
// names are turned away without hashing them (a forged set may carry
// millions).
type memberSet struct {
	names map[string]struct{}
	lens  uint64 // bit n: some name has n bytes (n < 64)
}

// newMemberSet returns the set of names, which must be shorter than 64
// bytes.
func newMemberSet(names ...string) *memberSet {
	m := &memberSet{names: map[string]struct{}{}}
	for _, n := range names {
		m.names[n] = struct{}{}
		m.lens |= 1 << len(n)
	}
	return m
}

// keeps reports whether keep holds name.
func keeps[T string | []byte](keep *memberSet, name T) bool {
	if keep == nil {
		return true
	}
	if len(name) >= 64 || keep.lens&(1<<len(name)) == 0 {
		return false
	}
	_, ok := keep.names[string(name)]
	return ok
}

// canonicalMembers is canonicalFields keeping only the members named in
// keep, or every member when keep is nil: for a document whose unknown
// members would otherwise each cost a map entry before its signature is
// checked.
func canonicalMembers(data []byte, what string, keep *memberSet) (fields, *Error) {
	if f, ok := splitObject(data, keep); ok {
		return f, nil
	}
	f, err := parseFields(data, what)
	if err == nil && keep != nil {
		for name := range f {
			if !keeps(keep, name) {
				delete(f, name)
			}
		}
	}
	return f, err
}

// splitObject splits the canonical text of an object into its members,
// keeping those named in keep (every one when keep is nil). The values
// are sub-slices of data.
func splitObject(data []byte, keep *memberSet) (fields, bool) {
	n := len(data)
	if n < 2 || data[0] != '{' || data[n-1] != '}' {
		return nil, false
	}
	f := fields{}
	if n == 2 {
		return f, true
	}
	for pos, done, ok := 1, false, true; ; {
		if pos, done, ok = splitMembers(data, pos, keep, f); !ok {
			return nil, false
		}
		if done {
			return f, true
		}
	}
}

// splitChunk is the most members one call of splitMembers reads: V8 keeps
// a running WebAssembly function in the tier it entered, so one call over
// the millions of members of a forged set would run in its baseline tier
// throughout; each chunk is a new call, which picks up the optimized code.
const splitChunk = 4096

// splitMembers adds to f up to splitChunk members of the object data from
// offset pos, and returns the offset of the next member, whether the
// object ended, and false if data is not canonical text as expected.
func splitMembers(data []byte, pos int, keep *memberSet, f fields) (next int, done, ok bool) {
	n := len(data)
	for range splitChunk {
		if data[pos] != '"' {
			return 0, false, false
		}
		end := jsontext.ValueEnd(data, pos)
		if end < 0 || end >= n || data[end] != ':' {
			return 0, false, false
		}
		vend := jsontext.ValueEnd(data, end+1)
		if vend < 0 || vend >= n {
			return 0, false, false
		}
		if keep != nil {
			// A name is matched by its canonical text, undecoded: the
			// names kept are plain ASCII, which RFC 8785 §3.2.2.2 writes
			// unescaped, so a name whose text holds a backslash is never
			// one of them.
			if keeps(keep, data[pos+1:end-1]) {
				f[string(data[pos+1:end-1])] = data[end+1 : vend : vend]
			}
		} else {
			name := string(data[pos+1 : end-1])
			if bytes.IndexByte(data[pos:end], '\\') >= 0 {
				if name, ok = jsontext.Unquote(data[pos:end]); !ok {
					return 0, false, false
				}
			}
			f[name] = data[end+1 : vend : vend]
		}
		if vend == n-1 {
			return vend, true, true
		}
		if data[vend] != ',' {
			return 0, false, false
		}
		pos = vend + 1
	}
	return pos, false, true
}
