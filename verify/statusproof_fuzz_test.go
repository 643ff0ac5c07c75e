package verify_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gowebpki/jcs"
	"github.com/licverify/licverify/verify"
)

// fuzzVector is the part of a vector request the fuzz targets reuse.
type fuzzVector struct {
	ID      string `json:"id"`
	Request struct {
		Op          string   `json:"op"`
		Keys        string   `json:"keys"`
		Now         string   `json:"now"`
		Proof       string   `json:"proof"`
		Fingerprint string   `json:"fingerprint"`
		Set         string   `json:"set"`
		Deltas      []string `json:"deltas"`
		Fetched     string   `json:"fetched"`
		Kind        string   `json:"kind"`
	} `json:"request"`
}

// fuzzVectors reads a vector file of this repository.
func fuzzVectors(f *testing.F, topic string) []fuzzVector {
	data, err := os.ReadFile(filepath.Join("..", "testvectors", topic+".json"))
	if err != nil {
		f.Fatal(err)
	}
	var file struct {
		Tests []fuzzVector `json:"tests"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		f.Fatal(err)
	}
	return file.Tests
}

// fuzzBase64 decodes any of the four base64 spellings, independently of
// the verifier's own decoder.
func fuzzBase64(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// fuzzSigned checks, independently of the verifier, that doc (a JSON
// object) carries an Ed25519 signature over the JCS form of its other
// members by the key of ring named kid (or by any key when kid is ""), and
// returns its members.
func fuzzSigned(t *testing.T, doc []byte, ring *verify.Keyring, kid string) map[string]json.RawMessage {
	t.Helper()
	var members map[string]json.RawMessage
	if err := json.Unmarshal(doc, &members); err != nil {
		t.Fatalf("accepted document is not a JSON object: %v\n%s", err, doc)
	}
	var sigText string
	if err := json.Unmarshal(members["signature"], &sigText); err != nil {
		t.Fatalf("accepted document has no string signature: %s", doc)
	}
	sig, ok := fuzzBase64(sigText)
	if !ok {
		t.Fatalf("accepted signature is not base64: %q", sigText)
	}
	delete(members, "signature")
	unsigned, err := json.Marshal(members)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := jcs.Transform(unsigned)
	if err != nil {
		t.Fatalf("accepted document has no JCS form: %v", err)
	}
	for _, k := range ring.Keys() {
		if (kid == "" || k.KID == kid) && ed25519.Verify(k.PublicKey, payload, sig) {
			members["signature"] = json.RawMessage(`"` + sigText + `"`)
			return members
		}
	}
	t.Fatalf("accepted document is not signed by key %q:\n%s", kid, doc)
	return nil
}

// fuzzProofObject finds the proof in the three input forms the way
// StatusProof documents them.
func fuzzProofObject(t *testing.T, in []byte) []byte {
	t.Helper()
	trimmed := bytes.Trim(in, " \t\r\n")
	compact := func(s string) []byte {
		b, ok := fuzzBase64(s)
		if !ok {
			t.Fatalf("accepted compact proof is not base64: %q", s)
		}
		return b
	}
	switch trimmed[0] {
	case '{':
		var top map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &top); err != nil {
			t.Fatalf("accepted proof is not JSON: %v", err)
		}
		_, signed := top["signature"]
		proof, hasProof := top["proof"]
		c, hasCompact := top["compact"]
		switch {
		case signed || (!hasProof && !hasCompact):
			return trimmed
		case hasProof:
			return proof
		default:
			var s string
			if err := json.Unmarshal(c, &s); err != nil {
				t.Fatalf("accepted compact member is not a string: %s", c)
			}
			return compact(s)
		}
	case '"':
		var s string
		if err := json.Unmarshal(trimmed, &s); err != nil {
			t.Fatalf("accepted quoted compact is not a JSON string: %s", trimmed)
		}
		return compact(s)
	}
	return compact(string(trimmed))
}

// FuzzStatusProof: no input panics, and a valid result comes only from a
// proof that is independently seen to be signed by the ring, with claims
// equal to its members.
func FuzzStatusProof(f *testing.F) {
	vectors := fuzzVectors(f, "statusproof")
	var keys, fingerprint string
	var valid fuzzVector
	var validNow int64
	seeds := 0
	for _, v := range vectors {
		if v.ID == "statusproof/valid" {
			keys, valid = v.Request.Keys, v
		}
		if v.ID == "statusproof/valid-bound" {
			fingerprint = v.Request.Fingerprint
		}
		now, err := time.Parse(time.RFC3339, v.Request.Now)
		if err != nil {
			f.Fatalf("%s: %v", v.ID, err)
		}
		f.Add([]byte(v.Request.Proof), now.Unix())
		if v.ID == "statusproof/valid" {
			validNow = now.Unix()
		}
		seeds++
	}
	if seeds == 0 || keys == "" || fingerprint == "" {
		f.Fatal("no seeds loaded from testvectors/statusproof.json")
	}
	ring, err := verify.ParseKeyring([]byte(keys))
	if err != nil {
		f.Fatal(err)
	}
	// The valid path of the target must be reachable from the seeds.
	if res, err := verify.StatusProof([]byte(valid.Request.Proof), ring, verify.StatusProofOptions{
		Now: time.Unix(validNow, 0), Fingerprint: []byte(fingerprint)}); err != nil || !res.Valid {
		f.Fatalf("the valid seed does not verify: %v %+v", err, res)
	}
	f.Fuzz(func(t *testing.T, proof []byte, now int64) {
		at := time.Unix(now%(1<<40), 0)
		res, err := verify.StatusProof(proof, ring, verify.StatusProofOptions{Now: at, Fingerprint: []byte(fingerprint)})
		if err != nil {
			t.Fatalf("error for input, not misuse: %v", err)
		}
		if res.Valid != (res.Code == verify.CodeOK) || res.Message == "" {
			t.Fatalf("inconsistent result %+v", res.Result)
		}
		if !res.Valid {
			return
		}
		if res.ProofClaims == nil {
			t.Fatal("valid result without claims")
		}
		members := fuzzSigned(t, fuzzProofObject(t, proof), ring, res.KID)
		var id, status string
		var epoch float64 // 42.0 is the epoch 42
		if json.Unmarshal(members["license_id"], &id) != nil || id != res.LicenseID ||
			json.Unmarshal(members["status"], &status) != nil || status != res.Status ||
			json.Unmarshal(members["revocation_epoch"], &epoch) != nil || epoch != float64(res.Epoch) {
			t.Fatalf("claims differ from the signed members: %+v vs %s", res.ProofClaims, proof)
		}
		if status != verify.ProofValid && status != verify.ProofGracePeriod {
			t.Fatalf("valid result for status %q", status)
		}
		if at.Before(res.CheckedAt.Add(-verify.DefaultSkew)) || !at.Before(res.ValidUntil) {
			t.Fatalf("valid result outside the proof's lifetime at %s", at)
		}
		// A binding_hash of null or "" binds nothing.
		if h, bound := members["binding_hash"]; (bound && string(h) != "null" && string(h) != `""`) != res.Bound {
			t.Fatalf("bound %v for members %s", res.Bound, proof)
		}
	})
}
