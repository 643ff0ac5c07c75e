package canonical_test

import (
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gowebpki/jcs"
	"github.com/licverify/licverify/canonical"
)

// TestNumber pins the ECMAScript layout on values chosen by hand at each
// boundary of Number::toString, independently of jcs.
func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{1, "1"},
		{-1, "-1"},
		{1.5, "1.5"},
		{-0.5, "-0.5"},
		{0.1, "0.1"},
		{0.30000000000000004, "0.30000000000000004"},
		{1.0 / 3, "0.3333333333333333"},
		{4.35, "4.35"},
		{123.456, "123.456"},
		{100, "100"},
		{1e20, "100000000000000000000"},
		{123e18, "123000000000000000000"},
		{1 << 53, "9007199254740992"},
		{1<<53 + 2, "9007199254740994"},
		{math.Nextafter(1e21, 0), "999999999999999900000"},
		{1e21, "1e+21"},
		{-1e21, "-1e+21"},
		{1.5e21, "1.5e+21"},
		{1e300, "1e+300"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{1e-6, "0.000001"},
		{1.5e-6, "0.0000015"},
		{-1.234e-6, "-0.000001234"},
		{math.Nextafter(1e-6, 0), "9.999999999999997e-7"},
		{1e-7, "1e-7"},
		{-1.5e-7, "-1.5e-7"},
		{123e-20, "1.23e-18"},
		{2.2250738585072014e-308, "2.2250738585072014e-308"},
		{5e-324, "5e-324"},
		{-5e-324, "-5e-324"},
		{295147905179352830000, "295147905179352830000"},
		{333333333.3333332, "333333333.3333332"},
	} {
		got, ok := canonical.AppendNumber([]byte("x,"), tc.v)
		if !ok || string(got) != "x,"+tc.want {
			t.Errorf("%v (%016x): got %q, %v; want %q", tc.v, math.Float64bits(tc.v), got, ok, "x,"+tc.want)
		}
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got, ok := canonical.AppendNumber([]byte("x"), v); ok || string(got) != "x" {
			t.Errorf("%v: got %q, %v; want it refused and nothing appended", v, got, ok)
		}
	}
}

// TestNumberRandom compares the serializer with jcs.NumberToJSON on
// random bit patterns (a fixed seed, so a failure reproduces), the check
// FuzzNumber makes, run here on every go test.
func TestNumberRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(8785, 1))
	for range 100_000 {
		checkNumber(t, math.Float64frombits(r.Uint64()))
	}
}

func BenchmarkNumber(b *testing.B) {
	vs := []float64{1.5, 0.30000000000000004, 1e21, 1e-7, 5e-324, 123456.789}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf, _ = canonical.AppendNumber(buf[:0], vs[i%len(vs)])
	}
}

// jsonNumber is the RFC 8259 §6 number grammar.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// FuzzNumber holds the package's number serializer equal to
// jcs.NumberToJSON, the reference, for any double (from its bit pattern)
// and for any JSON number text, and checks what Transform makes of the
// text against jcs.Transform and the strict rule on large numbers.
func FuzzNumber(f *testing.F) {
	for _, v := range []float64{
		0, math.Copysign(0, -1), 1, -1, 0.1, 1.5, 0.30000000000000004, 4.35, 100,
		1 << 53, 1<<53 + 2, 1e20, math.Nextafter(1e21, 0), 1e21, 1e300, math.MaxFloat64,
		1e-6, math.Nextafter(1e-6, 0), 1e-7, -1.5e-7, 2.2250738585072014e-308, 5e-324,
		math.NaN(), math.Inf(1), math.Inf(-1),
	} {
		f.Add(math.Float64bits(v), strconv.FormatFloat(v, 'g', -1, 64))
	}
	for _, s := range []string{
		"0", "-0", "-0.0", "0e0", "1E+2", "1.50", "1e-7", "0.000001", "1e21", "1e+21",
		"100000000000000000000", "9007199254740992", "-9007199254740992.0000000001",
		"9007199254740993", "9007199254740993.0", "9.007199254740993e15",
		"999999999999999999999.5", "1000000000000000000000.0000001",
		"1e400", "1e-400", "-1e-400", "0.1e1", "123456789012345678901234567890e-30",
		"2.2250738585072011e-308", "2.4703282292062328e-324", "1.7976931348623158e308",
	} {
		f.Add(uint64(0), s)
	}
	f.Fuzz(func(t *testing.T, bits uint64, text string) {
		v := math.Float64frombits(bits)
		checkNumber(t, v)
		// The same double in other spellings: shortest, 17 significant
		// digits (not the shortest, so they must round back), plain.
		for _, s := range []string{
			strconv.FormatFloat(v, 'g', -1, 64),
			strconv.FormatFloat(v, 'e', 16, 64),
			strconv.FormatFloat(v, 'f', -1, 64),
		} {
			checkNumberText(t, s)
		}
		checkNumberText(t, text)
	})
}

// checkNumber: AppendNumber refuses exactly what jcs.NumberToJSON refuses
// (NaN, ±Inf) and otherwise writes the same text, which reads back as v.
func checkNumber(t *testing.T, v float64) {
	t.Helper()
	ref, rerr := jcs.NumberToJSON(v)
	got, ok := canonical.AppendNumber([]byte("x,"), v)
	if ok != (rerr == nil) {
		t.Fatalf("%016x: AppendNumber ok=%v, jcs.NumberToJSON error %v", math.Float64bits(v), ok, rerr)
	}
	if !ok {
		if string(got) != "x," {
			t.Fatalf("%016x: refused but appended %q", math.Float64bits(v), got)
		}
		return
	}
	if string(got) != "x,"+ref {
		t.Fatalf("%016x (%v): got %q, jcs.NumberToJSON %q", math.Float64bits(v), v, got[2:], ref)
	}
	if back, err := strconv.ParseFloat(string(got[2:]), 64); err != nil || back != v {
		t.Fatalf("%016x: %q reads back as %v (%v)", math.Float64bits(v), got[2:], back, err)
	}
}

// checkNumberText: for a JSON number text, the serializer agrees with jcs
// on its double; Transform writes what jcs.Transform writes whenever it
// accepts the text, and refuses it only by the strict rule on numbers
// beyond ±2^53.
func checkNumberText(t *testing.T, text string) {
	t.Helper()
	if !jsonNumber.MatchString(text) {
		return
	}
	v, perr := strconv.ParseFloat(text, 64)
	ref, jerr := jcs.Transform([]byte(text))
	out, cerr := canonical.Transform([]byte(text), 0)
	if perr != nil {
		// Beyond the double range: both refuse.
		if jerr == nil || !canonical.IsCode(cerr, canonical.CodeMalformedJSON) {
			t.Fatalf("%q: out of range, but jcs error %v, Transform error %v", text, jerr, cerr)
		}
		return
	}
	if jerr != nil {
		t.Fatalf("%q: jcs.Transform refuses a number in range: %v", text, jerr)
	}
	checkNumber(t, v)

	a := math.Abs(v)
	integer := !strings.ContainsAny(text, ".eE")
	mustAccept := a < 1<<53 || a > 1e21 && !integer
	mustRefuse := a > 1<<53 && (a < 1e21 || integer)
	switch {
	case cerr == nil && mustRefuse:
		t.Fatalf("%q: Transform accepts a number beyond ±2^53 below 1e21: %q", text, out)
	case cerr == nil && string(out) != string(ref):
		t.Fatalf("%q: Transform %q, jcs.Transform %q", text, out, ref)
	case cerr != nil && (mustAccept || !canonical.IsCode(cerr, canonical.CodeMalformedJSON)):
		t.Fatalf("%q: Transform refuses it: %v", text, cerr)
	}
}
