package verify

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// fields is a JSON object by exact member name. encoding/json matches
// struct fields case-insensitively, which would let "License_ID" stand in
// for "license_id"; every document is read through this type instead.
type fields map[string]json.RawMessage

// parseFields decodes a JSON object that canonical has already validated.
// what names the object in messages.
func parseFields(data []byte, what string) (fields, *Error) {
	var f fields
	if err := json.Unmarshal(data, &f); err != nil || f == nil {
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
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &v) != nil {
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
	var elems []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, false, fail(CodeInvalidField, "%s is not an array of strings", name)
	}
	v = make([]string, len(elems))
	for i, e := range elems {
		if len(e) == 0 || e[0] != '"' || json.Unmarshal(e, &v[i]) != nil {
			return nil, false, fail(CodeInvalidField, "%s[%d] is not a string", name, i)
		}
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
	if f, ok := splitObject(data); ok {
		return f, nil
	}
	return parseFields(data, what)
}

// splitObject splits the canonical text of an object into its members.
// The values are sub-slices of data.
func splitObject(data []byte) (fields, bool) {
	n := len(data)
	if n < 2 || data[0] != '{' || data[n-1] != '}' {
		return nil, false
	}
	f := fields{}
	if n == 2 {
		return f, true
	}
	for pos := 1; ; {
		if data[pos] != '"' {
			return nil, false
		}
		end, ok := skipValue(data, pos)
		if !ok || end >= n || data[end] != ':' {
			return nil, false
		}
		name := string(data[pos+1 : end-1])
		if bytes.IndexByte(data[pos:end], '\\') >= 0 {
			if json.Unmarshal(data[pos:end], &name) != nil {
				return nil, false
			}
		}
		vend, ok := skipValue(data, end+1)
		if !ok || vend >= n {
			return nil, false
		}
		f[name] = json.RawMessage(data[end+1 : vend : vend])
		if vend == n-1 {
			return f, true
		}
		if data[vend] != ',' {
			return nil, false
		}
		pos = vend + 1
	}
}

// skipValue returns the end of the canonical JSON value starting at pos.
func skipValue(data []byte, pos int) (int, bool) {
	n := len(data)
	if pos >= n {
		return 0, false
	}
	switch data[pos] {
	case '"':
		i := pos + 1
		for i < n && data[i] != '"' {
			if data[i] == '\\' {
				i++
			}
			i++
		}
		if i >= n {
			return 0, false
		}
		return i + 1, true
	case '{', '[':
		depth := 0
		for i := pos; i < n; {
			switch data[i] {
			case '"':
				end, ok := skipValue(data, i)
				if !ok {
					return 0, false
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	default:
		i := pos
		for i < n && data[i] != ',' && data[i] != '}' && data[i] != ']' {
			i++
		}
		return i, i > pos
	}
}
