package main

// The canonical topic pins RFC 8785 output and the strict I-JSON pre-pass
// (formats.md §0) through the "canonicalize" request in every runtime.
func init() {
	register(topic{
		name: "canonical",
		notes: map[string]string{
			"Jcs":           "RFC 8785 serialization: expected output written from the RFC's rules",
			"DuplicateKey":  "duplicate member names, compared after unescaping (RFC 7493 §2.3)",
			"BigInteger":    "an integer outside ±2^53 that a double cannot hold exactly (RFC 7493 §2.2)",
			"Depth":         "nesting limit of 64 levels",
			"Surrogate":     "lone UTF-16 surrogate escape (RFC 7493 §2.1)",
			"Grammar":       "not RFC 8259 JSON",
			"NumberRange":   "a number outside the IEEE-754 double range",
			"InputTooLarge": "input over the request's size limit",
		},
		tests: canonicalTests,
	})
}

func canonicalTests() []test {
	ok := func(id, comment, in, out string) test {
		return test{ID: "canonical/" + id, Comment: comment, Flags: []string{"Jcs"},
			Request:  map[string]any{"op": "canonicalize", "document": in},
			Expected: map[string]any{"valid": true, "code": "ok", "canonical": out}}
	}
	bad := func(id, flag, code, comment, in string) test {
		return test{ID: "canonical/" + id, Comment: comment, Flags: []string{flag},
			Request:  map[string]any{"op": "canonicalize", "document": in},
			Expected: map[string]any{"valid": false, "code": code}}
	}
	deep := func(n int) string {
		s := ""
		for i := 0; i < n; i++ {
			s += "["
		}
		for i := 0; i < n; i++ {
			s += "]"
		}
		return s
	}
	big := func() string {
		s := `"`
		for i := 0; i < 100; i++ {
			s += "0123456789"
		}
		return s + `"`
	}()
	tooLarge := bad("too-large", "InputTooLarge", "input_too_large", "a 1002-byte string with a 1000-byte limit", big)
	tooLarge.Request["limit"] = 1000
	return []test{
		ok("sort-utf16", "members sort by UTF-16 code units, not code points (RFC 8785 §3.2.3)",
			`{"\ufb33":1,"\ud83d\ude02":2,"a":3,"B":4,"":5}`, "{\"\":5,\"B\":4,\"a\":3,\"\U0001F602\":2,\"\uFB33\":1}"),
		ok("whitespace", "insignificant whitespace removed", " { \"b\" : [ 1 , 2 ] ,\n\t\"a\" : null } ", `{"a":null,"b":[1,2]}`),
		ok("numbers", "ECMAScript number serialization (RFC 8785 §3.2.2.3)",
			`[4.50,2e-3,1E30,-0,56.0,1e-7,1.2345678901234568e21,9007199254740992,-9007199254740992]`,
			`[4.5,0.002,1e+30,0,56,1e-7,1.2345678901234568e+21,9007199254740992,-9007199254740992]`),
		ok("strings", "string escaping: only the mandatory escapes, lowercase hex (RFC 8785 §3.2.2.2)",
			`["\u20ac\/\u000f\u000a\"\\","</script>","\u007f"]`, "[\"€/\\u000f\\n\\\"\\\\\",\"</script>\",\"\u007f\"]"),
		ok("no-normalization", "no Unicode normalization", `"A\u030a"`, "\"A\u030a\""),
		ok("depth-64", "64 levels of nesting are allowed", deep(64), deep(64)),
		bad("duplicate", "DuplicateKey", "duplicate_key", "the same member twice", `{"a":1,"a":2}`),
		bad("duplicate-escaped", "DuplicateKey", "duplicate_key", `"a" and "\u0061" are the same name`, `{"a":1,"\u0061":2}`),
		bad("duplicate-nested", "DuplicateKey", "duplicate_key", "duplicates are refused at any depth", `{"x":[{"k":1,"k":1}]}`),
		bad("integer-2^53+1", "BigInteger", "malformed_json", "2^53+1 would round to 2^53", `{"epoch":9007199254740993}`),
		bad("integer-negative", "BigInteger", "malformed_json", "-(2^53+1) would round", `[-9007199254740993]`),
		bad("depth-65", "Depth", "malformed_json", "65 levels of nesting", deep(65)),
		bad("lone-high-surrogate", "Surrogate", "malformed_json", "high surrogate escape with no low one", `["\ud800"]`),
		bad("lone-low-surrogate", "Surrogate", "malformed_json", "low surrogate escape alone", `["\udc00x"]`),
		bad("trailing-comma", "Grammar", "malformed_json", "trailing comma", `[1,2,]`),
		bad("trailing-data", "Grammar", "malformed_json", "two values", `{} {}`),
		bad("leading-zero", "Grammar", "malformed_json", "a number with a leading zero", `[01]`),
		bad("single-quotes", "Grammar", "malformed_json", "single-quoted string", `{'a':1}`),
		bad("empty", "Grammar", "malformed_json", "empty document", ``),
		bad("number-range", "NumberRange", "malformed_json", "1e400 is not a double", `[1e400]`),
		tooLarge,
	}
}
