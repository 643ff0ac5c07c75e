package canonical_test

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/gowebpki/jcs"
	"github.com/licverify/licverify/canonical"
)

// Names of the generated documents: several spellings of a few values, so
// that duplicates written differently, names that share their first four
// code units (the sort key), and members out of order are common. The
// groups spell one value each.
var nameSpellings = [][]string{
	{`a`, `\u0061`, `\u0061`},
	{`b`, `\u0062`},
	{`ab`, `a\u0062`},
	{`abcd`}, {`abcde`}, {`abcdf`}, {`abcdefgh1`}, {`abcdefgh2`},
	{`é`, `\u00e9`, `\u00E9`},
	{"\U0001F600", `\ud83d\ude00`, `\uD83D\uDE00`},
	{"\uffff", `\uffff`},
	{"\ue000", `\ue000`},
	{`\u0000`}, {`a\u0000`}, {`\"`, `\u0022`}, {`\\`, `\u005c`}, {`a b`}, {``}, {`/`, `\/`},
	{`signature`, `\u0073ignature`},
}

type docGen struct {
	r *rand.Rand
	b bytes.Buffer
}

func (g *docGen) space() {
	for g.r.IntN(4) == 0 {
		g.b.WriteByte(" \t\n\r"[g.r.IntN(4)])
	}
}

func (g *docGen) value(depth int) {
	g.space()
	switch n := g.r.IntN(10); {
	case n < 2 && depth < 4:
		g.object(depth + 1)
	case n < 3 && depth < 4:
		g.b.WriteByte('[')
		for i := range g.r.IntN(4) {
			if i > 0 {
				g.b.WriteByte(',')
			}
			g.value(depth + 1)
		}
		g.space()
		g.b.WriteByte(']')
	case n < 7:
		g.b.WriteString([]string{`0`, `-0`, `1.5`, `1e2`, `12345`, `true`, `false`, `null`}[g.r.IntN(8)])
	default:
		s := nameSpellings[g.r.IntN(len(nameSpellings))]
		g.b.WriteString(`"` + s[g.r.IntN(len(s))] + `"`)
	}
	g.space()
}

func (g *docGen) object(depth int) {
	g.b.WriteByte('{')
	n := g.r.IntN(7)
	if depth == 1 && g.r.IntN(8) == 0 {
		n = 30 + g.r.IntN(60)
	}
	// Half of them mostly in order, so that objects turn out of order at
	// any member.
	ordered := g.r.IntN(2) == 0
	for i := range n {
		if i > 0 {
			g.b.WriteByte(',')
		}
		g.space()
		k := g.r.IntN(len(nameSpellings))
		if ordered && g.r.IntN(8) != 0 {
			k = min(len(nameSpellings)-1, i)
		}
		s := nameSpellings[k]
		g.b.WriteString(`"` + s[g.r.IntN(len(s))] + `"`)
		g.space()
		g.b.WriteByte(':')
		g.value(depth)
	}
	g.space()
	g.b.WriteByte('}')
}

// genDoc writes a random object, and in a third of the documents one
// fault: the text cut short, or a byte put in or replaced.
func genDoc(r *rand.Rand) []byte {
	g := &docGen{r: r}
	g.object(1)
	doc := g.b.Bytes()
	if r.IntN(3) == 0 && len(doc) > 1 {
		at := r.IntN(len(doc))
		bad := []byte{'x', '}', ']', ',', ':', '"', '\\', 0xFF, 0x01, '{', '['}[r.IntN(11)]
		switch r.IntN(3) {
		case 0:
			doc = doc[:at]
		case 1:
			doc = append(doc[:at:at], append([]byte{bad}, doc[at:]...)...)
		default:
			doc[at] = bad
		}
	}
	return doc
}

// sameError reports whether two results of a check are the same: both nil,
// or *canonical.Error with the same code, offset and message.
func sameError(a, b error) bool {
	return reflect.DeepEqual(a, b)
}

// checkAgainstReference holds Validate, Transform and Signed to the
// reference's verdict on doc, which must match exactly, and an accepted
// document's output to jcs.Transform's.
func checkAgainstReference(t *testing.T, doc []byte) {
	t.Helper()
	want := canonical.RefCheck(doc, 0, false)
	if err := canonical.Validate(doc, 0); !sameError(err, want) {
		t.Fatalf("Validate(%q) = %v, reference %v", doc, err, want)
	}
	out, err := canonical.Transform(doc, 0)
	if !sameError(err, want) {
		t.Fatalf("Transform(%q) = %v, reference %v", doc, err, want)
	}
	if err == nil {
		if ref, jerr := jcs.Transform(doc); jerr != nil || !bytes.Equal(ref, out) {
			t.Fatalf("Transform(%q) = %q, jcs %q (%v)", doc, out, ref, jerr)
		}
	}
	wantObj := canonical.RefCheck(doc, 0, true)
	if _, _, err := canonical.Signed(doc, 0); !sameError(err, wantObj) {
		t.Fatalf("Signed(%q) = %v, reference %v", doc, err, wantObj)
	}
}

// TestDuplicatesInPlace: names compared, sorted and checked for duplicates
// in place give exactly the verdicts of decoding each name into a map as
// it is read: the same code at the same offset with the same message, on
// documents full of duplicates spelled differently, members out of order,
// names sharing their sort key, and faults before and after them.
func TestDuplicatesInPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dups, faults := 0, 0
	for range 30000 {
		doc := genDoc(r)
		checkAgainstReference(t, doc)
		switch err := canonical.RefCheck(doc, 0, false); {
		case canonical.IsCode(err, canonical.CodeDuplicateKey):
			dups++
		case err != nil:
			faults++
		}
	}
	// The generator must reach every path.
	if dups < 3000 || faults < 3000 {
		t.Fatalf("generator too tame: %d duplicate, %d other faults in 30000", dups, faults)
	}
	t.Logf("30000 documents: %d with a duplicate, %d with another fault", dups, faults)
}

// TestFirstFaultWins pins the order of verdicts in objects out of order,
// where duplicates are found by sorting after the scan.
func TestFirstFaultWins(t *testing.T) {
	for _, tc := range []struct{ doc, code string }{
		{`{"b":1,"a":1,"a":2,"x":tru}`, canonical.CodeDuplicateKey},
		{`{"b":1,"a":tru,"a":2}`, canonical.CodeMalformedJSON},
		{`{"b":1,"a":1,"\u0061":2`, canonical.CodeDuplicateKey},
		{`{"b":1,"a":1,"\u0061"`, canonical.CodeDuplicateKey},
		{`{"b":1,"a":1,"\u006`, canonical.CodeMalformedJSON},
		{`{"b":1,"a":{"y":1,"x":2,"x":3},"a":2}`, canonical.CodeDuplicateKey},
		{`{"b":1,"a":1,"a":{"y":1,"x":2,"x":3}}`, canonical.CodeDuplicateKey},
		{`{"b":{"b":1,"a":1,"a":1},"a":1,"c":2,"c":3}`, canonical.CodeDuplicateKey},
	} {
		err := canonical.Validate([]byte(tc.doc), 0)
		if !canonical.IsCode(err, tc.code) {
			t.Errorf("%s: %v, want %s", tc.doc, err, tc.code)
		}
		checkAgainstReference(t, []byte(tc.doc))
	}
}

// FuzzDuplicates is TestDuplicatesInPlace from any seed.
func FuzzDuplicates(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Fuzz(func(t *testing.T, s1, s2 uint64) {
		r := rand.New(rand.NewPCG(s1, s2))
		for range 20 {
			checkAgainstReference(t, genDoc(r))
		}
	})
}
