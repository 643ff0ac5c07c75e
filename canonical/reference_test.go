package canonical

// The duplicate detection of this package before it read names in place:
// every name decoded into a string and looked up in a map as it is read,
// the first fault in document order reported. It is kept here, for tests
// only, as the reference that the in-place detection must match exactly:
// same code, same offset, same message, for every input. Strings, numbers
// and whitespace are scanned by the package's own scanner (embedded): what
// is under test is how objects, names and duplicates are handled.

import (
	"encoding/json"
	"fmt"
	"strings"
)

// RefCheck lets the external tests reach the reference.
var RefCheck = refCheck

type refScanner struct{ scanner }

// check validates doc and, when wantObject, requires a top-level object.
func refCheck(doc []byte, limit int, wantObject bool) error {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if len(doc) > limit {
		return &Error{Code: CodeInputTooLarge, Offset: -1,
			Msg: fmt.Sprintf("input is %d bytes, limit is %d", len(doc), limit)}
	}
	if hasBOM(doc) {
		return bomError()
	}
	s := refScanner{scanner{doc: doc}}
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
		return s.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if strings.HasPrefix(string(s.doc[s.pos:min(len(s.doc), s.pos+5)]), lit) {
				s.pos += len(lit)
				return nil
			}
		}
		return s.fail(CodeMalformedJSON, invalidStart(c))
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
		if err := s.str(); err != nil {
			return err
		}
		// Decoded by encoding/json, not by the package's own code.
		var name string
		if err := json.Unmarshal(s.doc[start:s.pos], &name); err != nil {
			panic(err)
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
