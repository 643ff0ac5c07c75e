package canonical_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/cpython"
	"github.com/stretchr/testify/require"
)

// pythonSeeds are documents whose Python form differs from RFC 8785's in
// each way there is, and a few where it does not.
var pythonSeeds = []string{
	`{"user":"Zoë Müller","n":5.0,"f":1e-07,"g":1234.5,"h":1e+16,"i":10,"j":-0,"k":-0.0,"l":0.1}`,
	`{"\ud83d\ude00":1,"\ufb01":2,"a":3,"é":4}`,
	`{"ctl":"\u0000\u001f\u007f\b\f\n\r\t\"\\\/","del":"` + "\x7f" + `"}`,
	`{"cjk":"東京","cyr":"Москва","emoji":"🔑 key","nested":{"z":[1.5,{"é":0.0001,"b":1E2}],"a":[]}}`,
	`{"a":1e21,"b":1.5e300,"c":5e-324,"d":2.2250738585072014e-308,"e":0.00001,"f":123456789012345.6,"g":1e-4}`,
	`[1,"x",{"b":1,"a":2}]`,
	`"\u00e9"`,
	`{"signature":"abc","a":"ü"}`,
	`{"ascii":"plain","int":42}`,
}

func TestPythonFormSeedsMatchCPython(t *testing.T) {
	py := cpython.Start(t)
	for _, doc := range pythonSeeds {
		comparePython(t, py, []byte(doc))
	}
}

// TestPythonFormMatchesCPython holds the Python-form writer to CPython's
// json.dumps on generated documents: floats, astral and high-BMP names,
// control characters, DEL, escapes and nesting.
func TestPythonFormMatchesCPython(t *testing.T) {
	py := cpython.Start(t)
	n := 20000
	if testing.Short() {
		n = 2000
	}
	r := rand.New(rand.NewPCG(8785, 3))
	compared := 0
	for range n {
		doc := genPyDoc(r)
		if comparePython(t, py, doc) {
			compared++
		}
		if t.Failed() {
			break
		}
	}
	if compared < n/2 {
		t.Fatalf("only %d of %d generated documents were accepted", compared, n)
	}
	fmt.Printf("python form: %d generated documents equal to CPython's json.dumps\n", compared)
}

// FuzzPythonForm compares the Python form of every document the strict
// pre-pass accepts with CPython's json.dumps of it.
func FuzzPythonForm(f *testing.F) {
	for _, s := range pythonSeeds {
		f.Add([]byte(s))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		f.Add(genPyDoc(r))
	}
	py := cpython.Start(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		comparePython(t, py, doc)
	})
}

// comparePython reports whether doc was accepted, and fails t when its
// Python forms (whole, and signed minus "signature") differ from
// CPython's or when the message's "same" answer is wrong.
func comparePython(t *testing.T, py *cpython.Dumper, doc []byte) bool {
	t.Helper()
	got, err := canonical.TransformForm(doc, 1<<20, canonical.Python)
	if err != nil {
		return false
	}
	full, signed, perr := py.Dumps(doc)
	if perr != nil {
		t.Fatalf("CPython refused a document the pre-pass accepted: %v\n%q", perr, doc)
	}
	if !bytes.Equal(got, full) {
		t.Fatalf("python form differs from json.dumps\n doc: %q\n got: %s\nwant: %s", doc, got, full)
	}
	if m, err := canonical.NewMessage(doc, 1<<20); err == nil {
		p, same := m.Form(canonical.Python)
		if !bytes.Equal(p, signed) {
			t.Fatalf("signed python form differs from json.dumps\n doc: %q\n got: %s\nwant: %s", doc, p, signed)
		}
		if same != bytes.Equal(signed, m.Payload) {
			t.Fatalf("same = %v, but the forms are %s and %s", same, signed, m.Payload)
		}
	}
	return true
}

// genPyDoc writes a random JSON object of random spelling.
func genPyDoc(r *rand.Rand) []byte {
	var b strings.Builder
	genPyObject(r, &b, 0)
	return []byte(b.String())
}

func genPyValue(r *rand.Rand, b *strings.Builder, depth int) {
	k := r.IntN(10)
	if depth > 4 {
		k = 4 + r.IntN(6)
	}
	switch k {
	case 0, 1:
		genPyObject(r, b, depth+1)
	case 2, 3:
		b.WriteByte('[')
		for i := range r.IntN(4) {
			if i > 0 {
				b.WriteString(pysp(r) + "," + pysp(r))
			}
			genPyValue(r, b, depth+1)
		}
		b.WriteByte(']')
	case 4, 5:
		genPyString(r, b)
	case 6, 7, 8:
		b.WriteString(genPyNumber(r))
	default:
		b.WriteString([]string{"true", "false", "null"}[r.IntN(3)])
	}
}

func genPyObject(r *rand.Rand, b *strings.Builder, depth int) {
	b.WriteByte('{')
	seen := map[string]bool{}
	for i := range r.IntN(6) {
		var name strings.Builder
		s := genPyString(r, &name)
		if seen[s] {
			continue
		}
		seen[s] = true
		if i > 0 && len(seen) > 1 {
			b.WriteString(pysp(r) + "," + pysp(r))
		}
		b.WriteString(name.String() + pysp(r) + ":" + pysp(r))
		genPyValue(r, b, depth)
	}
	b.WriteByte('}')
}

func pysp(r *rand.Rand) string {
	return []string{"", "", "", " ", "\t", "  "}[r.IntN(6)]
}

// genPyString writes a string token and returns its value.
func genPyString(r *rand.Rand, b *strings.Builder) string {
	var v []rune
	for range r.IntN(6) {
		var c rune
		switch r.IntN(9) {
		case 0:
			c = rune(r.IntN(0x20)) // controls
		case 1:
			c = []rune{'"', '\\', '/', 0x7f, ' ', '~'}[r.IntN(6)]
		case 2, 3:
			c = rune('a' + r.IntN(26))
		case 4:
			c = rune(0x80 + r.IntN(0x780)) // Latin, Greek, Cyrillic…
		case 5:
			c = rune(0x3000 + r.IntN(0x7000)) // CJK
		case 6:
			c = rune(0xE000 + r.IntN(0x2000)) // above the surrogates: sorts differently
		case 7:
			c = rune(0xF900 + r.IntN(0x6FF))
		default:
			c = rune(0x10000 + r.IntN(0x10000)) // astral
		}
		v = append(v, c)
	}
	b.WriteByte('"')
	for _, c := range v {
		switch {
		case c == '"' || c == '\\':
			b.WriteString(`\` + string(c))
		case c == '/' && r.IntN(2) == 0:
			b.WriteString(`\/`)
		case c < 0x20 || r.IntN(4) == 0:
			if c >= 0x10000 {
				hi, lo := utf16.EncodeRune(c)
				fmt.Fprintf(b, `\u%04x\u%04X`, hi, lo)
			} else if r.IntN(2) == 0 {
				fmt.Fprintf(b, `\u%04x`, c)
			} else {
				fmt.Fprintf(b, `\u%04X`, c)
			}
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return string(v)
}

func genPyNumber(r *rand.Rand) string {
	switch r.IntN(8) {
	case 0:
		return strconv.Itoa(r.IntN(2000) - 1000)
	case 1:
		return []string{"0", "-0", "0.0", "-0.0", "5.0", "1e-07", "1E2", "1e21", "1.5e300", "5e-324", "0.1", "1e+16", "1e16"}[r.IntN(13)]
	case 2:
		return strconv.FormatInt(r.Int64N(1<<53), 10)
	case 3:
		v := math.Float64frombits(r.Uint64())
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "1.5"
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case 4:
		return strconv.FormatFloat(r.Float64()*math.Pow(10, float64(r.IntN(40)-20)), 'f', -1, 64)
	case 5:
		return strconv.FormatFloat(float64(r.IntN(1e6))/float64(1+r.IntN(1000)), 'e', r.IntN(8), 64)
	case 6:
		return fmt.Sprintf("%d.%d", r.IntN(1e6), r.IntN(1e4))
	default:
		return fmt.Sprintf("%de%d", r.IntN(1000), r.IntN(40)-20)
	}
}

// TestPythonFormStreamed: Stream writes the very bytes of Form, and of
// CPython's json.dumps, for documents of many 64 KiB pieces, with a large
// signature member among them that is left out.
func TestPythonFormStreamed(t *testing.T) {
	py := cpython.Start(t)
	// One string of 1.2 MB in Python form, and one nested 60 deep.
	for _, doc := range []string{
		`{"a":1,"x":"` + strings.Repeat("😀é", 50000) + `","signature":"c2ln"}`,
		strings.Repeat(`{"😀":1,"ﬁ":`, 60) + `"` + strings.Repeat("ü", 100000) + `"` + strings.Repeat("}", 60),
	} {
		m, err := canonical.NewMessage([]byte(doc), 0)
		require.NoError(t, err)
		var streamed []byte
		pieces := 0
		m.Stream(canonical.Python, func(p []byte) { streamed = append(streamed, p...); pieces++ })
		require.Greater(t, pieces, 2)
		_, signed, err := py.Dumps([]byte(doc))
		require.NoError(t, err)
		require.Equal(t, string(signed), string(streamed))
	}
	r := rand.New(rand.NewPCG(64, 1))
	for n := range 4 {
		var b strings.Builder
		b.WriteString(`{"ids":[`)
		for i := 0; i < 3000*(n+1); {
			d := genPyDoc(r)
			if _, err := canonical.Transform(d, 0); err != nil {
				continue
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(d)
			i++
		}
		b.WriteString(`],"signature":[`)
		for i := range 20000 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"Zoë 😀"`)
		}
		b.WriteString(`],"z":"ü"}`)
		doc := []byte(b.String())
		m, err := canonical.NewMessage(doc, 64<<20)
		require.NoError(t, err)
		whole, _ := m.Form(canonical.Python)
		m, _ = canonical.NewMessage(doc, 64<<20)
		var streamed []byte
		pieces := 0
		m.Stream(canonical.Python, func(p []byte) { streamed = append(streamed, p...); pieces++ })
		require.Greater(t, pieces, 2)
		require.Equal(t, string(whole), string(streamed))
		_, signed, err := py.Dumps(doc)
		require.NoError(t, err)
		require.Equal(t, string(signed), string(streamed))
	}
}
