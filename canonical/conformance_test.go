package canonical_test

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gowebpki/jcs"
	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/conformance"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// report logs a conformance count and prints it, so that it shows in the
// output of `go test` run in this directory, not only with -v.
func report(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Logf(format, args...)
	if !t.Failed() {
		fmt.Printf(format+"\n", args...)
	}
}

// cyberphoneCases are the RFC 8785 author's test cases.
var cyberphoneCases = []string{"arrays", "french", "structures", "unicode", "values", "weird"}

// TestCyberphone: every RFC 8785 reference case is reproduced byte for byte.
func TestCyberphone(t *testing.T) {
	dir := conformance.Path(t, "cyberphone-json-canonicalization", "testdata")
	exact := 0
	for _, name := range cyberphoneCases {
		t.Run(name, func(t *testing.T) {
			in := readFile(t, dir, "input", name+".json")
			want := readFile(t, dir, "output", name+".json")
			outhex := readFile(t, dir, "outhex", name+".txt")

			// The hex listing is a second spelling of the expected bytes;
			// checking it guards against a damaged output file.
			fromHex, err := hex.DecodeString(strings.Join(strings.Fields(string(outhex)), ""))
			require.NoError(t, err)
			require.Equal(t, want, fromHex, "outhex does not decode to output")

			got, err := canonical.Transform(in, 0)
			require.NoError(t, err)
			if assert.Equal(t, string(want), string(got)) {
				exact++
			}

			// The canonical form is a fixed point.
			again, err := canonical.Transform(got, 0)
			require.NoError(t, err)
			assert.Equal(t, string(got), string(again))
		})
	}
	require.Equal(t, len(cyberphoneCases), exact, "jcs cases byte-exact")
	report(t, "jcs: %d/%d cases byte-exact", exact, len(cyberphoneCases))
}

// TestES6Numbers serializes the first 100,000 doubles of the ES6 number
// test file (RFC 8785 §3.2.2.3), each through the package's serializer
// directly and, in two spellings, through Transform. Doubles of magnitude
// in (2^53, 1e21) serialize as integer literals beyond ±2^53, which the
// strict rule of the specification (§0) refuses in any spelling; for those
// the test asserts the refusal, and checks the expected text against the
// serializer and against jcs.NumberToJSON, the reference.
func TestES6Numbers(t *testing.T) {
	path := conformance.Path(t, "cyberphone-json-canonicalization", "es6testfile100m.first-100000-lines.txt")
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()

	lines, direct, viaTransform, refused := 0, 0, 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines++
		hexBits, want, ok := strings.Cut(sc.Text(), ",")
		require.True(t, ok, "line %d: no comma", lines)
		bits, err := strconv.ParseUint(hexBits, 16, 64)
		require.NoError(t, err, "line %d", lines)
		v := math.Float64frombits(bits)
		require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "line %d: the file holds no NaN or Inf", lines)
		if s, _ := canonical.AppendNumber(nil, v); string(s) == want {
			direct++
		} else if !t.Failed() || lines < 100 {
			t.Errorf("line %d: %s: AppendNumber = %q; want %q", lines, hexBits, s, want)
		}

		// Shortest 'g' form: every value of 1e21 or more is written with an
		// exponent, so no plain integer beyond 2^53 reaches the strict rule.
		// The 17-digit 'e' form feeds the parser digits that are not the
		// shortest, which must round to the same double.
		texts := []string{strconv.FormatFloat(v, 'g', -1, 64), strconv.FormatFloat(v, 'e', 16, 64)}
		beyond := math.Abs(v) > 1<<53 && math.Abs(v) < 1e21
		ok = true
		for _, text := range texts {
			got, err := canonical.Transform([]byte(text), 0)
			if beyond {
				ok = ok && canonical.IsCode(err, canonical.CodeMalformedJSON)
			} else {
				ok = ok && err == nil && string(got) == want
			}
			if !ok && (!t.Failed() || lines < 100) {
				t.Errorf("line %d: %s (from %s) = %q, %v; want %q (refused: %v)", lines, hexBits, text, got, err, want, beyond)
			}
		}
		if !beyond {
			if ok {
				viaTransform++
			}
			continue
		}
		// The refused values are exactly those whose ES6 form is a plain
		// integer beyond 2^53.
		digits := strings.TrimPrefix(want, "-")
		const maxSafe = "9007199254740992"
		plainBeyond := strings.Trim(digits, "0123456789") == "" &&
			(len(digits) > len(maxSafe) || len(digits) == len(maxSafe) && digits > maxSafe)
		assert.True(t, plainBeyond, "line %d: %q", lines, want)
		s, err := jcs.NumberToJSON(v)
		if assert.NoError(t, err) && assert.Equal(t, want, s, "line %d", lines) && ok {
			refused++
		}
	}
	require.NoError(t, sc.Err())
	require.Equal(t, 100000, lines, "the file holds 100,000 lines")
	require.Equal(t, lines, direct, "serialized exactly")
	require.Equal(t, lines, viaTransform+refused)
	report(t, "es6 numbers: %d/%d serialized exactly; %d also through Transform, %d beyond ±2^53 refused by the strict rule (text also checked with jcs.NumberToJSON)",
		direct, lines, viaTransform, refused)
}

func readFile(t *testing.T, elem ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(elem...))
	require.NoError(t, err)
	return b
}
