package canonical_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/licverify/licverify/canonical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nested returns depth levels of arrays or objects around a 0.
func nested(depth int, object bool) string {
	open, close := "[", "]"
	if object {
		open, close = `{"a":`, "}"
	}
	return strings.Repeat(open, depth) + "0" + strings.Repeat(close, depth)
}

// rejectCase is an input that Transform must refuse with exactly code.
type rejectCase struct {
	name string
	in   string
	code string
}

// rejectCases are the strict I-JSON rules of the specification (§0) that
// RFC 8785 alone does not enforce, plus plain RFC 8259 syntax errors. They
// also seed FuzzTransform.
var rejectCases = []rejectCase{
	// Duplicate names, compared after unescaping (RFC 7493 §2.3).
	{"duplicate key", `{"a":1,"a":2}`, canonical.CodeDuplicateKey},
	{"duplicate key, same value", `{"a":1,"a":1}`, canonical.CodeDuplicateKey},
	{"duplicate key a vs \\u0061", `{"a":1,"\u0061":2}`, canonical.CodeDuplicateKey},
	{"duplicate key \\u0061 vs a", `{"\u0061":1,"a":2}`, canonical.CodeDuplicateKey},
	{"duplicate key escaped solidus", `{"a/b":1,"a\/b":2}`, canonical.CodeDuplicateKey},
	{"duplicate key raw vs surrogate pair", `{"😀":1,"\ud83d\ude00":2}`, canonical.CodeDuplicateKey},
	{"duplicate key not adjacent", `{"a":1,"b":2,"c":3,"a":4}`, canonical.CodeDuplicateKey},
	{"duplicate empty key", `{"":1,"":2}`, canonical.CodeDuplicateKey},
	{"duplicate key nested", `{"x":{"b":1,"b":2}}`, canonical.CodeDuplicateKey},
	{"duplicate key in array of objects", `[{"a":1},{"c":1,"c":2}]`, canonical.CodeDuplicateKey},
	{"duplicate key deep", `{"a":[{"b":[{"c":1,"c":2}]}]}`, canonical.CodeDuplicateKey},

	// Lone surrogates (RFC 7493 §2.1, RFC 8785 §3.2.2.2).
	{"lone high surrogate", `["\ud800"]`, canonical.CodeMalformedJSON},
	{"lone high surrogate then text", `["\ud800abc"]`, canonical.CodeMalformedJSON},
	{"high surrogate then BMP escape", `["\ud800\u0041"]`, canonical.CodeMalformedJSON},
	{"high surrogate then high surrogate", `["\ud800\ud800"]`, canonical.CodeMalformedJSON},
	{"high surrogate then other escape", `["\ud800\n"]`, canonical.CodeMalformedJSON},
	{"high surrogate at end of string", `["\udbff"]`, canonical.CodeMalformedJSON},
	{"lone low surrogate", `["\udc00"]`, canonical.CodeMalformedJSON},
	{"lone low surrogate upper case", `["\uDFFF"]`, canonical.CodeMalformedJSON},
	{"reversed surrogate pair", `["\ude00\ud83d"]`, canonical.CodeMalformedJSON},
	{"lone surrogate in a key", `{"\ud800":1}`, canonical.CodeMalformedJSON},

	// Invalid UTF-8 (RFC 8259 §8.1, RFC 7493 §2.1).
	{"bare continuation byte", "[\"\x80\"]", canonical.CodeMalformedJSON},
	{"overlong slash", "[\"\xc0\xaf\"]", canonical.CodeMalformedJSON},
	{"overlong three bytes", "[\"\xe0\x80\xaf\"]", canonical.CodeMalformedJSON},
	{"encoded surrogate ED A0 80", "[\"\xed\xa0\x80\"]", canonical.CodeMalformedJSON},
	{"encoded surrogate pair", "[\"\xed\xa0\xbd\xed\xb8\x80\"]", canonical.CodeMalformedJSON},
	{"truncated sequence", "[\"\xe2\x82\"]", canonical.CodeMalformedJSON},
	{"truncated sequence at end", "[\"\xe2\x82", canonical.CodeMalformedJSON},
	{"byte FF", "[\"\xff\"]", canonical.CodeMalformedJSON},
	{"above U+10FFFF", "[\"\xf4\x90\x80\x80\"]", canonical.CodeMalformedJSON},
	{"invalid UTF-8 in a key", "{\"\x80\":1}", canonical.CodeMalformedJSON},
	{"non-ASCII outside a string", "[1,\xc3\xa9]", canonical.CodeMalformedJSON},
	{"byte order mark", "\xef\xbb\xbf{}", canonical.CodeMalformedJSON},

	// Integers a double cannot hold exactly (RFC 7493 §2.2): jcs would
	// round them, giving two documents one signature.
	{"2^53+1", `9007199254740993`, canonical.CodeMalformedJSON},
	{"-(2^53+1)", `-9007199254740993`, canonical.CodeMalformedJSON},
	{"2^53+1 in an object", `{"epoch":9007199254740993}`, canonical.CodeMalformedJSON},
	{"2^64", `[18446744073709551616]`, canonical.CodeMalformedJSON},
	{"1e20 as an integer", `100000000000000000000`, canonical.CodeMalformedJSON},
	{"very long integer", strings.Repeat("9", 400), canonical.CodeMalformedJSON},
	// Below 1e21, RFC 8785 writes such values as plain integers, which the
	// rule above refuses; so they are refused in every spelling, keeping
	// the canonical form a fixed point.
	{"2^53+2 with a fraction", `9007199254740994.0`, canonical.CodeMalformedJSON},
	{"2^53+2 in exponent form", `9.007199254740994e15`, canonical.CodeMalformedJSON},
	// Beyond 2^53 by its exact value, though the double it rounds to is
	// 2^53 itself.
	{"2^53+1 in exponent form", `9.007199254740993e15`, canonical.CodeMalformedJSON},
	{"2^53+1 with a fraction", `9007199254740993.0`, canonical.CodeMalformedJSON},
	{"1e16", `1e16`, canonical.CodeMalformedJSON},
	{"-1.5e17", `[-1.5e17]`, canonical.CodeMalformedJSON},
	{"just below 1e21", `9.99999999999999e20`, canonical.CodeMalformedJSON},
	{"fuzz: 9007199270000000.0", `9007199270000000.0`, canonical.CodeMalformedJSON},

	// Out of the double range: jcs cannot represent it.
	{"1e400", `1e400`, canonical.CodeMalformedJSON},
	{"-1e400", `[-1e400]`, canonical.CodeMalformedJSON},
	{"1E+400", `{"a":1E+400}`, canonical.CodeMalformedJSON},

	// Nesting (spec §0: deeper than 64 levels is malformed_json).
	{"65 nested arrays", nested(65, false), canonical.CodeMalformedJSON},
	{"65 nested objects", nested(65, true), canonical.CodeMalformedJSON},
	{"65 levels mixed", `{"a":` + nested(64, false) + `}`, canonical.CodeMalformedJSON},
	{"100000 nested arrays", strings.Repeat("[", 100000), canonical.CodeMalformedJSON},

	// Trailing data.
	{"two objects", `{} {}`, canonical.CodeMalformedJSON},
	{"garbage after object", `{}x`, canonical.CodeMalformedJSON},
	{"two numbers", `1 2`, canonical.CodeMalformedJSON},
	{"extra bracket", `{}]`, canonical.CodeMalformedJSON},
	{"NUL after value", "{}\x00", canonical.CodeMalformedJSON},

	// Control characters in strings must be escaped (RFC 8259 §7).
	{"raw NUL in a string", "[\"a\x00b\"]", canonical.CodeMalformedJSON},
	{"raw newline in a string", "[\"a\nb\"]", canonical.CodeMalformedJSON},
	{"raw tab in a string", "[\"a\tb\"]", canonical.CodeMalformedJSON},
	{"raw 0x1f in a key", "{\"\x1f\":1}", canonical.CodeMalformedJSON},

	// Escapes.
	{"unknown escape", `["\x41"]`, canonical.CodeMalformedJSON},
	{"single-quote escape", `["\'"]`, canonical.CodeMalformedJSON},
	{"upper-case U escape", `["\U0041"]`, canonical.CodeMalformedJSON},
	{"short unicode escape", `["\u12"]`, canonical.CodeMalformedJSON},
	{"non-hex unicode escape", `["\u12G4"]`, canonical.CodeMalformedJSON},
	{"signed unicode escape", `["\u+123"]`, canonical.CodeMalformedJSON},
	{"backslash at end", `["\`, canonical.CodeMalformedJSON},
	{"escaped newline", "[\"\\\n\"]", canonical.CodeMalformedJSON},

	// Numbers (RFC 8259 §6).
	{"leading zero", `01`, canonical.CodeMalformedJSON},
	{"negative leading zero", `-01`, canonical.CodeMalformedJSON},
	{"double zero", `[00]`, canonical.CodeMalformedJSON},
	{"leading plus", `+1`, canonical.CodeMalformedJSON},
	{"leading dot", `.5`, canonical.CodeMalformedJSON},
	{"trailing dot", `[1.]`, canonical.CodeMalformedJSON},
	{"empty exponent", `1e`, canonical.CodeMalformedJSON},
	{"signed empty exponent", `1e+`, canonical.CodeMalformedJSON},
	{"bare minus", `-`, canonical.CodeMalformedJSON},
	{"hex number", `0x10`, canonical.CodeMalformedJSON},
	{"NaN", `NaN`, canonical.CodeMalformedJSON},
	{"Infinity", `[Infinity]`, canonical.CodeMalformedJSON},
	{"-Infinity", `{"a":-Infinity}`, canonical.CodeMalformedJSON},
	{"nan lower case", `[nan]`, canonical.CodeMalformedJSON},

	// Other syntax.
	{"empty input", ``, canonical.CodeMalformedJSON},
	{"only whitespace", " \n\t ", canonical.CodeMalformedJSON},
	{"form feed is not whitespace", "\f{}", canonical.CodeMalformedJSON},
	{"unterminated object", `{"a":1`, canonical.CodeMalformedJSON},
	{"unterminated array", `[1,2`, canonical.CodeMalformedJSON},
	{"unterminated string", `["abc`, canonical.CodeMalformedJSON},
	{"missing value", `{"a":}`, canonical.CodeMalformedJSON},
	{"missing colon", `{"a" 1}`, canonical.CodeMalformedJSON},
	{"name only", `{"a"}`, canonical.CodeMalformedJSON},
	{"trailing comma in object", `{"a":1,}`, canonical.CodeMalformedJSON},
	{"trailing comma in array", `[1,]`, canonical.CodeMalformedJSON},
	{"leading comma", `[,1]`, canonical.CodeMalformedJSON},
	{"missing comma", `[1 2]`, canonical.CodeMalformedJSON},
	{"unquoted name", `{a:1}`, canonical.CodeMalformedJSON},
	{"single-quoted string", `['a']`, canonical.CodeMalformedJSON},
	{"number as name", `{1:1}`, canonical.CodeMalformedJSON},
	{"True", `True`, canonical.CodeMalformedJSON},
	{"truncated literal", `[tru]`, canonical.CodeMalformedJSON},
	{"literal with suffix", `[truex]`, canonical.CodeMalformedJSON},
	{"null prefix", `nul`, canonical.CodeMalformedJSON},
	{"comment", `{"a":1 /* c */}`, canonical.CodeMalformedJSON},
}

func TestTransformRejects(t *testing.T) {
	for _, tc := range rejectCases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := canonical.Transform([]byte(tc.in), 0)
			assertCode(t, err, tc.code)
			assert.Nil(t, out)
		})
	}
}

// assertCode checks that err is a *canonical.Error with code, and that its
// message stays short whatever the input (it may end up in logs).
func assertCode(t *testing.T, err error, code string) {
	t.Helper()
	var ce *canonical.Error
	require.True(t, errors.As(err, &ce), "want *canonical.Error with code %s, got %v", code, err)
	assert.Equal(t, code, ce.Code, "error: %v", err)
	assert.True(t, canonical.IsCode(err, code))
	assert.LessOrEqual(t, len(ce.Error()), 200, "error message is not bounded")
}

func TestTransformAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"2^53", `9007199254740992`, `9007199254740992`},
		{"-(2^53)", `-9007199254740992`, `-9007199254740992`},
		{"2^53 in an object", `{"epoch":9007199254740992}`, `{"epoch":9007199254740992}`},
		{"2^53 with a fraction", `9007199254740992.0`, `9007199254740992`},
		// From 1e21 up, RFC 8785 uses exponent form: no integer literal.
		{"1e21", `1E21`, `1e+21`},
		{"-1e21", `-1000000000000000000000.0`, `-1e+21`},
		{"negative zero", `-0`, `0`},
		{"negative zero fraction", `-0.0`, `0`},
		{"fraction", `[4.50, 2e-3, 0.000001, 1e-7]`, `[4.5,0.002,0.000001,1e-7]`},
		{"largest double", `1.7976931348623157e308`, `1.7976931348623157e+308`},
		{"smallest subnormal", `5e-324`, `5e-324`},
		{"64 nested arrays", nested(64, false), nested(64, false)},
		{"64 nested objects", nested(64, true), nested(64, true)},
		{"case-sensitive keys are distinct", `{"a":1,"A":2}`, `{"A":2,"a":1}`},
		{"same key at different levels", `{"a":{"a":{"a":1}}}`, `{"a":{"a":{"a":1}}}`},
		{"same key in sibling objects", `[{"a":1},{"a":2}]`, `[{"a":1},{"a":2}]`},
		{"surrogate pair", `["\ud83d\ude00"]`, `["😀"]`},
		{"escaped NUL", `["\u0000"]`, `["\u0000"]`},
		{"escapes normalized", `["\/\b\f\n\r\t\"\\\u001F\u007f\u00e9"]`, "[\"/\\b\\f\\n\\r\\t\\\"\\\\\\u001f\x7f\u00e9\"]"},
		{"U+FFFD is valid", "[\"\xef\xbf\xbd\"]", "[\"\xef\xbf\xbd\"]"},
		{"U+10FFFF is valid", "[\"\xf4\x8f\xbf\xbf\"]", "[\"\xf4\x8f\xbf\xbf\"]"},
		{"whitespace around", " \t\r\n{ \"b\" : [ true , false , null ] , \"a\" : \"\" } \n", `{"a":"","b":[true,false,null]}`},
		{"top-level string", `"x"`, `"x"`},
		{"top-level literal", `null`, `null`},
		{"empty containers", `[{},[]]`, `[{},[]]`},
		{"UTF-16 key order", `{"\ufb33":1,"\ud83d\ude02":2}`, "{\"\U0001F602\":2,\"\ufb33\":1}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := canonical.Transform([]byte(tc.in), 0)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(out))
		})
	}
}

func TestTransformLimit(t *testing.T) {
	doc := []byte(`{"a":"` + strings.Repeat("x", 100) + `"}`)

	_, err := canonical.Transform(doc, len(doc))
	require.NoError(t, err, "a document exactly at the limit is accepted")

	_, err = canonical.Transform(doc, len(doc)-1)
	assertCode(t, err, canonical.CodeInputTooLarge)

	_, _, err = canonical.Signed(doc, len(doc)-1)
	assertCode(t, err, canonical.CodeInputTooLarge)

	// limit <= 0 means DefaultLimit.
	big := []byte(`"` + strings.Repeat("x", canonical.DefaultLimit-2) + `"`)
	_, err = canonical.Transform(big, 0)
	require.NoError(t, err)
	_, err = canonical.Transform(append(big, ' '), 0)
	assertCode(t, err, canonical.CodeInputTooLarge)
	_, err = canonical.Transform(append(big, ' '), -1)
	assertCode(t, err, canonical.CodeInputTooLarge)

	// The size check comes first: an oversize document is input_too_large
	// even when it is also malformed.
	_, err = canonical.Transform([]byte(`{"a":1,"a":2}`), 5)
	assertCode(t, err, canonical.CodeInputTooLarge)
}

func TestErrorOffset(t *testing.T) {
	_, err := canonical.Transform([]byte(`{"a":1,"a":2}`), 0)
	var ce *canonical.Error
	require.True(t, errors.As(err, &ce))
	assert.Equal(t, 7, ce.Offset, "offset of the second \"a\"")
	assert.Contains(t, ce.Error(), "at byte 7")
}

func TestSigned(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		payload string
		sig     string // "" for no signature member
	}{
		{"string signature", `{"b":1,"signature":"c2ln","a":2}`, `{"a":2,"b":1}`, `"c2ln"`},
		{"nested signature stays", `{"signature":"top","x":{"signature":"nested"}}`,
			`{"x":{"signature":"nested"}}`, `"top"`},
		{"signature in an array stays", `{"l":[{"signature":1}],"signature":"s"}`,
			`{"l":[{"signature":1}]}`, `"s"`},
		{"no signature", `{"b":1,"a":2}`, `{"a":2,"b":1}`, ""},
		{"only a signature", `{"signature":"s"}`, `{}`, `"s"`},
		{"empty object", `{}`, `{}`, ""},
		{"escaped name is the same member", `{"\u0073ignature":"s","a":1}`, `{"a":1}`, `"s"`},
		{"similar names stay", `{"Signature":1,"signature ":2,"signatures":3,"signature":"s"}`,
			`{"Signature":1,"signature ":2,"signatures":3}`, `"s"`},
		{"non-string signature is canonicalized", `{"signature":{"b":1.0,"a":[ 2 ]},"k":1}`,
			`{"k":1}`, `{"a":[2],"b":1}`},
		{"null signature", `{"signature":null}`, `{}`, `null`},
		{"whitespace kept out", " { \"a\" : 1 ,\n\"signature\" : \"s\" } ", `{"a":1}`, `"s"`},
		{"unicode escapes in payload", `{"k":"\u00e9\ud83d\ude00","signature":"s"}`, `{"k":"é😀"}`, `"s"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload, sig, err := canonical.Signed([]byte(tc.in), 0)
			require.NoError(t, err)
			assert.Equal(t, tc.payload, string(payload))
			if tc.sig == "" {
				assert.Nil(t, sig)
			} else {
				assert.Equal(t, tc.sig, string(sig))
			}
		})
	}
}

// TestSignedEqualsTransformWithoutSignature checks that the payload is
// exactly Transform of the document written without its signature member.
func TestSignedEqualsTransformWithoutSignature(t *testing.T) {
	with := `{"z":[1,2,{"y":"é"}],"signature":"AAAA","a":{"signature":"keep"},"n":1e3}`
	without := `{"z":[1,2,{"y":"é"}],"a":{"signature":"keep"},"n":1e3}`
	payload, _, err := canonical.Signed([]byte(with), 0)
	require.NoError(t, err)
	want, err := canonical.Transform([]byte(without), 0)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(payload))
}

// TestSignedVariantsSamePayload: whitespace, member order and escaping do
// not change what is signed, so a re-serialized document still verifies.
func TestSignedVariantsSamePayload(t *testing.T) {
	variants := []string{
		`{"id":"L-1","n":10,"tags":["a","b"],"signature":"c2ln"}`,
		`{"signature":"c2ln","tags":["a","b"],"n":10,"id":"L-1"}`,
		" {\n  \"n\" : 1e1 ,\n  \"id\" : \"L\\u002d1\",\n  \"signature\" : \"c2ln\",\n  \"tags\" : [ \"a\" , \"\\u0062\" ]\n}\n",
		`{"tags":["a","b"],"id":"L-1","n":10.0,"signature":"c2ln"}`,
	}
	var first []byte
	for i, v := range variants {
		payload, sig, err := canonical.Signed([]byte(v), 0)
		require.NoError(t, err, "variant %d", i)
		assert.Equal(t, `"c2ln"`, string(sig))
		if i == 0 {
			first = payload
			assert.Equal(t, `{"id":"L-1","n":10,"tags":["a","b"]}`, string(payload))
			continue
		}
		assert.Equal(t, string(first), string(payload), "variant %d", i)
	}
}

func TestSignedRejects(t *testing.T) {
	tests := []rejectCase{
		{"array", `[{"signature":"s"}]`, canonical.CodeMalformedJSON},
		{"string", `"signature"`, canonical.CodeMalformedJSON},
		{"null", `null`, canonical.CodeMalformedJSON},
		{"empty", ``, canonical.CodeMalformedJSON},
		{"duplicate signature", `{"signature":"a","signature":"b"}`, canonical.CodeDuplicateKey},
		{"duplicate escaped signature", `{"signature":"a","\u0073ignature":"b"}`, canonical.CodeDuplicateKey},
		{"duplicate inside signature", `{"signature":{"a":1,"a":2}}`, canonical.CodeDuplicateKey},
		{"bad number in signature", `{"signature":1e400}`, canonical.CodeMalformedJSON},
		{"big integer in signature", `{"signature":9007199254740993}`, canonical.CodeMalformedJSON},
		{"trailing data", `{"signature":"s"}{}`, canonical.CodeMalformedJSON},
		{"lone surrogate in payload", `{"a":"\ud800","signature":"s"}`, canonical.CodeMalformedJSON},
		{"too deep", `{"a":` + nested(64, false) + `,"signature":"s"}`, canonical.CodeMalformedJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload, sig, err := canonical.Signed([]byte(tc.in), 0)
			assertCode(t, err, tc.code)
			assert.Nil(t, payload)
			assert.Nil(t, sig)
		})
	}
	// Every must-reject input is also refused by Signed, whatever its shape.
	for _, tc := range rejectCases {
		_, _, err := canonical.Signed([]byte(tc.in), 0)
		var ce *canonical.Error
		assert.True(t, errors.As(err, &ce), "%s: Signed accepted a must-reject input", tc.name)
	}
}

// TestSignedDoesNotAliasInput: the returned bytes must not change when the
// caller reuses its buffer.
func TestSignedDoesNotAliasInput(t *testing.T) {
	doc := []byte(`{"a":"x","signature":"s"}`)
	payload, sig, err := canonical.Signed(doc, 0)
	require.NoError(t, err)
	for i := range doc {
		doc[i] = ' '
	}
	assert.Equal(t, `{"a":"x"}`, string(payload))
	assert.Equal(t, `"s"`, string(sig))
}

// TestBeyondSafeIntegerInAnySpelling: a number whose exact value lies
// above 2^53 and below 1e21 would be written as an integer beyond ±2^53 by
// RFC 8785, so it is refused however it is spelled, including spellings
// that round onto 2^53 or 1e21 as doubles.
func TestBeyondSafeIntegerInAnySpelling(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"9007199254740992", true},
		{"9007199254740992.0", true},
		{"9007199254740992e0", true},
		{"90071992547409920e-1", true},
		{"0.9007199254740992e16", true},
		{"-9007199254740992.000", true},
		{"9007199254740991.9", true},
		{"9007199254740993.0", false},
		{"9007199254740992.5", false},
		{"9007199254740992.0000000001", false},
		{"-9007199254740993.0", false},
		{"90071992547409930e-1", false},
		{"9007199254740994.0", false},
		{"1e16", false},
		{"999999999999999999999.5", false},
		{"999999999999999999999", false},
		{"1e21", true},
		{"1000000000000000000000.0", true},
		{"1e30", true},
		{"1.5", true},
	} {
		_, err := canonical.Transform([]byte("["+tc.in+"]"), 0)
		if tc.ok {
			assert.NoError(t, err, tc.in)
		} else {
			assert.True(t, canonical.IsCode(err, canonical.CodeMalformedJSON), "%s: %v", tc.in, err)
		}
	}
}

// TestMessagesNameTheByte: a byte order mark is named as one, whatever
// the caller asks for, and a byte above 0x7F that starts no value is
// given in hex, never as the Latin-1 character it is not.
func TestMessagesNameTheByte(t *testing.T) {
	const bom = "canonical: the text starts with a byte order mark (EF BB BF), refused rather than stripped (RFC 8259 §8.1): save it as UTF-8 without one"
	for _, doc := range []string{"\xef\xbb\xbf{}", "\xef\xbb\xbf[1]", "\xef\xbb\xbf"} {
		_, err := canonical.Transform([]byte(doc), 0)
		assert.EqualError(t, err, bom, "%q", doc)
		_, _, err = canonical.Signed([]byte(doc), 0)
		assert.EqualError(t, err, bom, "%q as a document", doc)
	}
	for doc, want := range map[string]string{
		"[1,\xc3\xa9]":    "canonical: invalid byte 0xC3, which starts no JSON value at byte 3",
		" \xef\xbb\xbf{}": "canonical: invalid byte 0xEF, which starts no JSON value at byte 1",
		"[x]":             "canonical: invalid character 'x' at byte 1",
	} {
		_, err := canonical.Transform([]byte(doc), 0)
		assert.EqualError(t, err, want, "%q", doc)
	}
}

// TestValidateAgreesWithTransform: Validate refuses exactly what
// Transform refuses, with the same error.
func TestValidateAgreesWithTransform(t *testing.T) {
	for _, doc := range []string{`{"a":1}`, `[1,2]`, `{"a":1,"a":2}`, "\"\xff\"", `{"a":"\ud800"}`, `9007199254740993`, `[`, ` 1 `, "\ufeff{}"} {
		_, want := canonical.Transform([]byte(doc), 0)
		assert.Equal(t, want, canonical.Validate([]byte(doc), 0), doc)
	}
	assert.Error(t, canonical.Validate([]byte(`[1]`), 2), "over the limit")
}
