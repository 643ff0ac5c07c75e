package jsontext

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/canonical"
	"github.com/stretchr/testify/require"
)

// jsonString is encoding/json's spelling of s with HTML escaping off, the
// reference for AppendString.
func jsonString(t testing.TB, s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(s))
	return strings.TrimSuffix(b.String(), "\n")
}

var stringCases = []string{
	"", "a", `"`, `\`, "\x00\x01\x07\b\t\n\v\f\r\x1b\x1f", " ~\x7f", "<>&",
	"é", "😂", "\u2028\u2029", "\u2027\u202a", "\xff", "a\xc3", "\xed\xa0\x80",
	"\xef\xbf\xbd", "\uffff", "\U0010ffff", `\u0041`, "/",
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range stringCases {
		require.Equal(t, jsonString(t, s), string(AppendString(nil, s)), "%q", s)
	}
	for c := 0; c < 256; c++ {
		s := "x" + string([]byte{byte(c)}) + "y"
		require.Equal(t, jsonString(t, s), string(AppendString(nil, s)), "byte %#x", c)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range stringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendString([]byte("prefix"), s)
		require.Equal(t, "prefix"+jsonString(t, s), string(got))
	})
}

func TestWriterTime(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 1, time.FixedZone("", -(5*3600+30*60))),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		{},
	} {
		want, err := json.Marshal(tm)
		require.NoError(t, err)
		var w Writer
		w.Time(tm)
		got, err := w.Bytes()
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	}
	for _, off := range []int{24 * 3600, -24 * 3600, 30 * 3600} {
		tm := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", off))
		_, jerr := json.Marshal(tm)
		require.Error(t, jerr, "offset %d", off)
		var w Writer
		w.Time(tm)
		_, err := w.Bytes()
		require.ErrorIs(t, err, ErrZoneRange, "offset %d", off)
	}
	for _, y := range []int{-1, 10000} {
		_, jerr := json.Marshal(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
		require.Error(t, jerr)
		var w Writer
		w.Time(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
		w.String("after")
		_, err := w.Bytes()
		require.ErrorIs(t, err, ErrYearRange, "year %d", y)
	}
}

func TestWriterStrings(t *testing.T) {
	for _, ss := range [][]string{nil, {}, {"a"}, {"a", "\"", ""}} {
		want, err := json.Marshal(ss)
		require.NoError(t, err)
		var w Writer
		w.Strings(ss)
		require.Equal(t, string(want), string(w.B))
	}
}

// readCases are JSON texts for the readers, valid and not.
var readCases = []string{
	`{}`, `[]`, ` { } `, `{"a":1,"b":[1,2,{"c":"}"}],"d":"\"]"}`, `{"a" : "x" , "b" : true }`,
	`[1, "a", null, true, false, -0, 1.5e3, {"x":[]}, []]`, `["a",null]`, `[null]`, ` [ "a" , "b" ] `, `"abc"`, `"a\u00e9\ud83d\ude02\n"`,
	`"\ud800"`, `"\udc00x"`, `0`, `-0`, `12`, `-9007199254740991`, `9223372036854775807`,
	`9223372036854775808`, `1.0`, `1e2`, `true`, `false`, `null`, `{"a":1,"a":2}`,
	`{"é":"\u00e9"}`, `["a","b"]`, `["a",1]`, ` "x" `, `{"a":{"b":{"c":[[[]]]}}}`,
	`{"a":1}x`, `[1,]`, `{"a"}`, `{"a":}`, `["\"]`, `"\x"`, "\"\x01\"", `{`, `[`, `"`,
	`{"a":1,}`, `[1 2]`, `{"a":1 "b":2}`, `{1:2}`, `[}`, `{]`,
}

func FuzzReaders(f *testing.F) {
	for _, s := range readCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		// On any text: no panic.
		var names []string
		objOK := Object(text, func(name string, value []byte) bool {
			names = append(names, name)
			return true
		})
		elems, arrOK := Array(text)
		s, strOK := Unquote(text)
		n, intOK := Int(text)
		b, boolOK := Bool(text)
		ss, _, ssOK := Strings(text)

		// On valid I-JSON (what every caller has checked): what
		// encoding/json gives.
		if canonical.Validate(text, 1<<20) != nil {
			return
		}
		var m map[string]json.RawMessage
		jerr := json.Unmarshal(text, &m)
		require.Equal(t, jerr == nil && m != nil, objOK, "object %q", text)
		if objOK {
			got := map[string]json.RawMessage{}
			Object(text, func(name string, value []byte) bool {
				got[name] = value
				return true
			})
			require.Equal(t, len(m), len(names))
			for k, v := range m {
				require.Equal(t, string(v), string(got[k]), "member %q of %q", k, text)
			}
		}
		var a []json.RawMessage
		jerr = json.Unmarshal(text, &a)
		require.Equal(t, jerr == nil && a != nil, arrOK, "array %q", text)
		if arrOK {
			require.Equal(t, len(a), len(elems))
			for i := range a {
				require.Equal(t, string(a[i]), string(elems[i]))
			}
		}
		null := string(bytes.TrimSpace(text)) == "null" // encoding/json: no change, no error
		var js string
		jerr = json.Unmarshal(text, &js)
		require.Equal(t, jerr == nil && !null, strOK, "string %q", text)
		require.Equal(t, js, s)
		var jn int64
		jerr = json.Unmarshal(text, &jn)
		require.Equal(t, jerr == nil && !null, intOK, "int %q", text)
		require.Equal(t, jn, n)
		var jb bool
		jerr = json.Unmarshal(text, &jb)
		require.Equal(t, jerr == nil && !null, boolOK, "bool %q", text)
		require.Equal(t, jb, b)
		// A null element is refused, where encoding/json reads it as "".
		allStrings := Each(text, func(e []byte) bool { return e[0] == '"' })
		var jss []string
		jerr = json.Unmarshal(text, &jss)
		require.Equal(t, jerr == nil && jss != nil && allStrings, ssOK, "strings %q", text)
		if ssOK {
			require.Equal(t, jss, ss)
		}
	})
}

// TestReadersRefuseWhatJSONRepairs: on text that is not I-JSON, the
// readers refuse rather than repair.
func TestReadersRefuseWhatJSONRepairs(t *testing.T) {
	for _, s := range []string{`"\ud800"`, `"\udc00"`, "\"\xff\"", `"\ud800\u0041"`} {
		var js string
		require.NoError(t, json.Unmarshal([]byte(s), &js), s)
		_, ok := Unquote([]byte(s))
		require.False(t, ok, s)
	}
}

// FuzzUnescape holds Unescape to encoding/json: whatever it
// takes, it decodes as encoding/json does.
func FuzzUnescape(f *testing.F) {
	for _, s := range []string{`a\"b`, `\\`, `\/`, `\b\f\n\r\t`, `\u0041\u00e9\u2028`, `\ud83d\ude00`, `\ud83d`, `\ude00x`, `\u12`, `\x`, "é\\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		got, ok := Unescape(text)
		if !ok {
			return
		}
		var want string
		if err := json.Unmarshal([]byte(`"`+string(text)+`"`), &want); err != nil {
			t.Fatalf("%q: Unescape took what encoding/json does not: %v", text, err)
		}
		if string(got) != want {
			t.Fatalf("%q: Unescape gives %q, encoding/json %q", text, got, want)
		}
	})
}
