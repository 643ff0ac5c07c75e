package canonical_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
	"github.com/licverify/licverify/canonical"
)

// fuzzSeeds returns the cyberphone inputs (when the conformance data is
// present) and every input of the must-reject table.
func fuzzSeeds() [][]byte {
	var seeds [][]byte
	dir := os.Getenv("LICVERIFY_CONFORMANCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "conformance")
	}
	for _, name := range cyberphoneCases {
		if b, err := os.ReadFile(filepath.Join(dir, "cyberphone-json-canonicalization", "testdata", "input", name+".json")); err == nil {
			seeds = append(seeds, b)
		}
	}
	for _, tc := range rejectCases {
		seeds = append(seeds, []byte(tc.in))
	}
	seeds = append(seeds,
		[]byte(`{"b":[1,2.5e-7,{"signature":"x"}],"signature":"c2ln","a":"\u00e9\ud83d\ude00"}`),
		[]byte(`{"n":-0,"m":9007199254740992,"e":1e21}`),
	)
	return seeds
}

// FuzzTransform: Transform and Signed never panic; whatever Transform
// accepts, jcs.Transform canonicalizes to the same bytes and encoding/json
// reads as the same value; the output is a fixed point; and Signed agrees
// with Transform on objects; and every rejection is the reference's
// (reference_test.go), to the byte offset.
func FuzzTransform(f *testing.F) {
	seeds := fuzzSeeds()
	if len(seeds) == 0 {
		f.Fatal("no seed loaded")
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := canonical.Transform(in, 0)
		payload, sig, serr := canonical.Signed(in, 0)
		// The verdicts are exactly those of decoding every name into a map.
		if want := canonical.RefCheck(in, 0, false); !sameError(err, want) {
			t.Fatalf("Transform(%q) = %v, reference %v", in, err, want)
		}
		if want := canonical.RefCheck(in, 0, true); !sameError(serr, want) {
			t.Fatalf("Signed(%q) = %v, reference %v", in, serr, want)
		}
		if err != nil {
			if _, ok := err.(*canonical.Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if serr == nil {
				t.Fatalf("Signed accepted what Transform rejects: %q", in)
			}
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("output is not UTF-8: %q", out)
		}
		// The encoder must write exactly what jcs writes: jcs is the
		// reference RFC 8785 implementation this package stands on.
		if ref, err := jcs.Transform(in); err != nil || string(ref) != string(out) {
			t.Fatalf("differs from jcs.Transform: %q -> %q, jcs %q (%v)", in, out, ref, err)
		}
		again, err := canonical.Transform(out, 0)
		if err != nil || string(again) != string(out) {
			t.Fatalf("not a fixed point: %q -> %q -> %q, %v", in, out, again, err)
		}
		// Numbers decode to float64 on both sides, so "1.0" and "1", or "-0"
		// and "0", compare equal, as RFC 8785 intends.
		var vin, vout any
		if err := json.Unmarshal(in, &vin); err != nil {
			t.Fatalf("accepted input that encoding/json rejects: %q: %v", in, err)
		}
		if err := json.Unmarshal(out, &vout); err != nil {
			t.Fatalf("output is not JSON: %q: %v", out, err)
		}
		if !reflect.DeepEqual(vin, vout) {
			t.Fatalf("value changed: %q (%#v) -> %q (%#v)", in, vin, out, vout)
		}

		obj, isObject := vin.(map[string]any)
		if !isObject {
			if serr == nil {
				t.Fatalf("Signed accepted a non-object: %q", in)
			}
			return
		}
		if serr != nil {
			t.Fatalf("Signed rejects an object Transform accepts: %q: %v", in, serr)
		}
		wantSig, hasSig := obj["signature"]
		delete(obj, "signature")
		var vpayload any
		if err := json.Unmarshal(payload, &vpayload); err != nil || !reflect.DeepEqual(vpayload, any(obj)) {
			t.Fatalf("payload %q is not the document without its signature: %q", payload, in)
		}
		if p2, err := canonical.Transform(payload, 0); err != nil || string(p2) != string(payload) {
			t.Fatalf("payload is not canonical: %q", payload)
		}
		if hasSig != (sig != nil) {
			t.Fatalf("signature presence: member %v, returned %q", hasSig, sig)
		}
		if hasSig {
			var vsig any
			if err := json.Unmarshal(sig, &vsig); err != nil || !reflect.DeepEqual(vsig, wantSig) {
				t.Fatalf("signature %q is not the member's value in %q", sig, in)
			}
		}
	})
}
