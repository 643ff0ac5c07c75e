package verify

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// rvtMillion returns n UUID-sized ids and a set revoking them, signed by
// the fixed test key k1.
func rvtMillion(b testing.TB, n int) ([]string, []byte) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i*7919)
	}
	return ids, sptSign(b, "k1", rvtSet(100, ids))
}

// BenchmarkRevocationSetLookup: one lookup in a set of 1,000,000 ids,
// alternating a listed id and an absent one.
func BenchmarkRevocationSetLookup(b *testing.B) {
	ids, doc := rvtMillion(b, 1_000_000)
	res, err := RevocationSet(doc, sptRing(b, "k1"), RevocationOptions{Now: rvtNow})
	if err != nil || !res.Valid {
		b.Fatal(err, res.Message)
	}
	absent := make([]string, len(ids))
	for i := range absent {
		absent[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i*7919+1)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := i % len(ids)
		if res.Set.Lookup(ids[k], rvtNow).Status != LookupRevoked ||
			res.Set.Lookup(absent[k], rvtNow).Status != LookupNotRevoked {
			b.Fatal("wrong lookup")
		}
		i += 7919
	}
}

// rvtForgedMembers is a set with n unknown top-level members and a
// signature that does not verify.
func rvtForgedMembers(n int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"epoch":1,"revoked_ids":["a"],"issued_at":"2026-03-01T11:00:00Z","valid_until":"2026-03-01T13:00:00Z","issuer_kid":"k1"`)
	for i := range n {
		fmt.Fprintf(&sb, `,"m%07d":0`, i)
	}
	sig := base64.StdEncoding.EncodeToString(make([]byte, ed25519.SignatureSize))
	sb.WriteString(`,"signature":"` + sig + `"}`)
	return []byte(sb.String())
}

// BenchmarkRevocationSetForgedMembers: a forged set padded with 2,000,000
// unknown top-level members costs its parse, not a map of them.
func BenchmarkRevocationSetForgedMembers(b *testing.B) {
	doc := rvtForgedMembers(2_000_000)
	ring := sptRing(b, "k1")
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := RevocationSet(doc, ring, RevocationOptions{Now: rvtNow})
		if err != nil || res.Code != CodeBadSignature {
			b.Fatal(err, res.Message)
		}
	}
}
