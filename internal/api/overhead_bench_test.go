package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkRequestOverhead measures what carrying a document to the
// verifier costs, apart from verifying it: a host building the request and
// the module taking the document back out. "json-string" is ABI 1's way
// (the document inside a JSON string: json.Marshal in the host, then the
// module's two decodes of the request); "frame" is ABI 2's (Request.Encode
// in the host, parseRequest in the module). The reported request-bytes/doc
// is the request's size over the document's.
func BenchmarkRequestOverhead(b *testing.B) {
	keys := []byte(`[{"kid":"k","alg":"ed25519","public_key":"WGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY="}]`)
	docs := []struct {
		name, op, member string
		doc              []byte
	}{
		{"proof-1KB", "status_proof", "proof", overheadProof(1024)},
		{"set-39MB", "revocation_set", "set", overheadSet(1_000_000)},
	}
	for _, d := range docs {
		b.Run(d.name+"/json-string", func(b *testing.B) {
			var size int
			b.SetBytes(int64(len(d.doc)))
			for b.Loop() {
				req, err := json.Marshal(map[string]any{"op": d.op, "keys": string(keys), "now": "2026-01-01T00:00:00Z", d.member: string(d.doc)})
				if err != nil {
					b.Fatal(err)
				}
				size = len(req)
				// ABI 1's module decoded the request twice: its op, then
				// the op's members.
				var head struct {
					Op *string `json:"op"`
				}
				var members struct {
					Op    string  `json:"op"`
					Keys  *string `json:"keys"`
					Now   *string `json:"now"`
					Proof *string `json:"proof"`
					Set   *string `json:"set"`
				}
				if json.Unmarshal(req, &head) != nil {
					b.Fatal("head")
				}
				dec := json.NewDecoder(bytes.NewReader(req))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&members); err != nil {
					b.Fatal(err)
				}
				_ = []byte(*members.Keys)
				if members.Proof != nil {
					_ = []byte(*members.Proof)
				} else {
					_ = []byte(*members.Set)
				}
			}
			b.ReportMetric(float64(size)/float64(len(d.doc)), "request-bytes/doc")
		})
		b.Run(d.name+"/frame", func(b *testing.B) {
			var size int
			b.SetBytes(int64(len(d.doc)))
			for b.Loop() {
				req, err := NewRequest(d.op).Set("now", "2026-01-01T00:00:00Z").Part("keys", keys).Part(d.member, d.doc).Encode()
				if err != nil {
					b.Fatal(err)
				}
				size = len(req)
				r, err := parseRequest(req)
				if err != nil || len(r.part(d.member)) != len(d.doc) {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size)/float64(len(d.doc)), "request-bytes/doc")
		})
	}
}

// overheadProof is a status proof's text padded to about n bytes with
// entitlements (its content does not matter here: nothing verifies it).
func overheadProof(n int) []byte {
	var ents []string
	doc := func() []byte {
		b, _ := json.Marshal(map[string]any{"license_id": "b28a923a-c747-49b2-bc90-d87004c10379", "status": "valid",
			"checked_at": "2025-12-30T15:30:00Z", "valid_until": "2026-01-01T15:30:00Z", "revocation_epoch": 42,
			"entitlements": ents, "issuer_kid": "k", "signature": strings.Repeat("A", 86) + "=="})
		return b
	}
	for len(doc()) < n {
		ents = append(ents, fmt.Sprintf("feature:f%04d", len(ents)))
	}
	return doc()
}

// overheadSet is a revocation set's text with n UUID-shaped ids.
func overheadSet(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"epoch":42,"issued_at":"2025-12-30T15:30:00Z","valid_until":"2025-12-30T16:30:00Z","revoked_ids":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%08x-c747-49b2-bc90-d87004c10379"`, i)
	}
	b.WriteString(`],"signature":"` + strings.Repeat("A", 86) + `=="}`)
	return b.Bytes()
}
