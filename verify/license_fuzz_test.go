package verify

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/licverify/licverify/canonical"
)

// licVectorRequests reads the requests of a vector file directly (the
// testvectors package imports this one, so it cannot be imported here).
func licVectorRequests(t testing.TB, topic string) []map[string]any {
	data, err := os.ReadFile(filepath.Join("..", "testvectors", topic+".json"))
	if err != nil {
		t.Fatalf("vectors: %v", err)
	}
	var file struct {
		Tests []struct {
			Request map[string]any `json:"request"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("vectors: %v", err)
	}
	reqs := make([]map[string]any, 0, len(file.Tests))
	for _, v := range file.Tests {
		reqs = append(reqs, v.Request)
	}
	return reqs
}

// licFuzzVerifies says whether doc carries a signature that verifies under
// a key of ring, checked here from canonical's signed bytes and
// crypto/ed25519 rather than through the package's own signature step.
func licFuzzVerifies(doc []byte, ring *Keyring) bool {
	payload, sigJSON, err := canonical.Signed(doc, 0)
	if err != nil || sigJSON == nil {
		return false
	}
	var s string
	if json.Unmarshal(sigJSON, &s) != nil {
		return false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		sig, err := enc.Strict().DecodeString(s)
		if err != nil {
			continue
		}
		for _, k := range ring.Keys() {
			if ed25519.Verify(k.PublicKey, payload, sig) {
				return true
			}
		}
	}
	return false
}

// FuzzLicense: no license or state makes License panic; a result is valid
// only for a license that really verifies; claims appear only for one that
// verifies; and the state written is one the engine reads back as is.
func FuzzLicense(f *testing.F) {
	var ring *Keyring
	var machine string
	seeds := 0
	for _, req := range licVectorRequests(f, "license") {
		lic, _ := req["license"].(string)
		state, _ := req["state"].(string)
		if ring == nil && req["keys"] != nil {
			r, err := ParseKeyring([]byte(req["keys"].(string)))
			if err == nil && r.Len() == 1 {
				ring = r
			}
		}
		if h, ok := req["fingerprint_hash"].(string); ok && machine == "" {
			machine = h
		}
		now, _ := time.Parse(time.RFC3339Nano, req["now"].(string))
		f.Add([]byte(lic), []byte(state), now.Unix())
		seeds++
	}
	if seeds == 0 || ring == nil || machine == "" {
		f.Fatal("no seed loaded from testvectors/license.json")
	}
	f.Fuzz(func(t *testing.T, license, state []byte, nowUnix int64) {
		// Any second of years 1970-9999.
		now := time.Unix(licFuzzMod(nowUnix, licenseMaxUnix), 0).UTC()
		opts := LicenseOptions{Now: now, ProductID: "calcpro", FingerprintHash: machine}
		if len(state) > 0 {
			opts.State = state
		}
		res, err := License(license, ring, opts)
		if err != nil {
			t.Fatalf("error for valid options: %v", err)
		}
		if res.Valid != (res.Code == CodeOK) {
			t.Fatalf("valid %v with code %s", res.Valid, res.Code)
		}
		if res.Decision == "" || res.Decision == DecisionBlock && len(res.Reasons) == 0 {
			t.Fatalf("no decision or reasons: %s %v", res.Decision, res.Reasons)
		}
		if res.Valid == (res.Decision == DecisionBlock) {
			t.Fatalf("valid %v with decision %s", res.Valid, res.Decision)
		}
		if !res.TrustedTime.IsZero() && !licFuzzVerifies(license, ring) {
			t.Fatalf("evaluated (%s, %s) a license that does not verify", res.Decision, res.Code)
		}
		out, err := json.Marshal(res)
		if err != nil || !json.Valid(out) {
			t.Fatalf("result does not marshal: %v", err)
		}
		if res.State == nil {
			return
		}
		written, err := json.Marshal(res.State)
		if err != nil {
			t.Fatalf("state does not marshal: %v", err)
		}
		// Read back at the trusted time, the state is taken as it is.
		again, err := License(license, ring, LicenseOptions{Now: res.TrustedTime, ProductID: "calcpro", FingerprintHash: machine, State: written})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range again.Reasons {
			if r == ReasonStateInvalid || r == ReasonStateMismatch || r == ReasonStateFuture || r == ReasonClockRollback {
				t.Fatalf("the state written was not taken back as is: %s (%s)\n%s", r, again.Message, written)
			}
		}
		if !again.TrustedTime.Equal(res.TrustedTime) {
			t.Fatalf("trusted time moved from %v to %v", res.TrustedTime, again.TrustedTime)
		}
	})
}

// licFuzzMod maps any int64 into [0, m].
func licFuzzMod(v, m int64) int64 {
	return int64(uint64(v) % uint64(m+1))
}
