// Command gen writes the inputs of `make bench`, so that every runtime
// measures the same bytes: the latency requests (copied verbatim from the
// test vectors, in their JSON form and as the request frames the module
// reads) and revocation sets of 1,000 to 1,000,000 ids, signed with
// a key derived from a fixed seed. It is deterministic: no clock, no
// randomness, same files on every run.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/testvectors"
)

// Times of the generated sets and of every request on them: the set is
// fresh at now.
const (
	setKID       = "bench-2026"
	setIssuedAt  = "2026-03-01T00:00:00Z"
	setNow       = "2026-03-02T00:00:00Z"
	setValidTill = "2026-03-08T00:00:00Z"
	setEpoch     = 4200
)

// SetSizes are the revocation set sizes of the scale table.
var setSizes = []int{1_000, 10_000, 100_000, 1_000_000}

// latencyJobs name the vectors whose requests the latency table times: a
// status proof, a license evaluation, an encrypted .qkey (the format's
// usual form, dominated by its 100,000-round key derivation) and the same
// .qkey in plain JSON.
var latencyJobs = []struct{ name, topic, id string }{
	{"statusproof", "statusproof", "statusproof/valid"},
	{"license", "license", "license/seed/resigned"},
	{"qkey", "qkey", "qkey/encrypted/default-password"},
	{"qkey-plain", "qkey", "qkey/plain/signed"},
}

// Meta describes the generated files; the benchmarks read it.
type Meta struct {
	Now     string       `json:"now"`
	Keys    string       `json:"keys"`
	Sets    []SetMeta    `json:"sets"`
	Latency []LatencyJob `json:"latency"`
	// Big are the two sets just under the 64 MiB limit of a revocation
	// document: a forged one (a bad signature over millions of small
	// members) and a genuine one of the same size, for the time ratio.
	Big []BigSet `json:"big"`
}

// BigSet is one set of the 64 MiB row.
type BigSet struct {
	Name    string `json:"name"`
	File    string `json:"file"`
	Bytes   int    `json:"bytes"`
	Members int    `json:"members"`
	IDs     int    `json:"ids"`
	// Code is the verdict every runtime must give.
	Code string `json:"code"`
}

// bigLimit is the largest revocation document accepted by default.
const bigLimit = 64 << 20

// SetMeta is one revocation set file.
type SetMeta struct {
	IDs    int    `json:"ids"`
	File   string `json:"file"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
	// Revoked is an id listed in the set; Absent one that is not.
	Revoked string `json:"revoked"`
	Absent  string `json:"absent"`
}

// LatencyJob is one request of the latency table.
type LatencyJob struct {
	Name   string `json:"name"`
	Vector string `json:"vector"`
	// File holds the request in the vectors' JSON form (api.FromJSON).
	File  string `json:"file"`
	Bytes int    `json:"bytes"`
	// Frame holds the request frame the module reads: the bytes every
	// runtime sends.
	Frame      string `json:"frame"`
	FrameBytes int    `json:"frame_bytes"`
	// Document is the request member holding the document, for the JS
	// references that verify it themselves.
	Document string `json:"document"`
}

func main() {
	out := flag.String("out", "bench/out/fixtures", "directory to write to")
	vectors := flag.String("vectors", "testvectors", "directory of the test vector files")
	noBig := flag.Bool("no-big", false, "skip the two 64 MiB sets")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	priv := key()
	meta := Meta{Now: setNow, Keys: keyring(priv)}
	files, err := testvectors.Load(*vectors)
	if err != nil {
		log.Fatal(err)
	}
	for _, j := range latencyJobs {
		req, frame, err := vectorRequest(files, j.topic, j.id)
		if err != nil {
			log.Fatal(err)
		}
		file, frameFile := "request-"+j.name+".json", "request-"+j.name+".lvr2"
		write(*out, file, req)
		write(*out, frameFile, frame)
		doc := map[string]string{"statusproof": "proof", "license": "license"}[j.name]
		if doc == "" {
			doc = "qkey"
		}
		meta.Latency = append(meta.Latency, LatencyJob{Name: j.name, Vector: j.id, File: file, Bytes: len(req),
			Frame: frameFile, FrameBytes: len(frame), Document: doc})
	}
	for _, n := range setSizes {
		doc, ids := revocationSet(priv, n)
		file := "revocation-" + strconv.Itoa(n) + ".json"
		write(*out, file, doc)
		sum := sha256.Sum256(doc)
		meta.Sets = append(meta.Sets, SetMeta{
			IDs: n, File: file, Bytes: len(doc), SHA256: hex.EncodeToString(sum[:]),
			Revoked: ids[n/2], Absent: id("absent", 0),
		})
	}
	if !*noBig {
		forged, members := forgedSet(bigLimit - 64)
		write(*out, "revocation-forged-64mib.json", forged)
		meta.Big = append(meta.Big, BigSet{Name: "forged", File: "revocation-forged-64mib.json", Bytes: len(forged),
			Members: members, Code: "bad_signature"})
		n := (bigLimit - 512) / 39
		doc, _ := revocationSet(priv, n)
		write(*out, "revocation-genuine-64mib.json", doc)
		meta.Big = append(meta.Big, BigSet{Name: "genuine", File: "revocation-genuine-64mib.json", Bytes: len(doc),
			Members: 6, IDs: n, Code: "ok"})
	}
	m, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	write(*out, "meta.json", append(m, '\n'))
}

func write(dir, name string, data []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		log.Fatal(err)
	}
}

// key is the revocation sets' signing key, from a fixed seed.
func key() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("licverify bench key " + setKID))
	return ed25519.NewKeyFromSeed(seed[:])
}

func keyring(priv ed25519.PrivateKey) string {
	pub := base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
	return `[{"kid":"` + setKID + `","alg":"ed25519","public_key":"` + pub + `"}]`
}

// id derives a UUID-shaped license id from a label, so that ids look like
// real ones (random hex) without any randomness.
func id(label string, i int) string {
	h := sha256.Sum256([]byte(label + "/" + strconv.Itoa(i)))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-4" + x[13:16] + "-8" + x[17:20] + "-" + x[20:32]
}

// revocationSet returns a signed set of n ids and the ids. The document
// is written directly in RFC 8785 form (members in order, ASCII strings),
// which canonical.Transform confirms before it is signed.
func revocationSet(priv ed25519.PrivateKey, n int) ([]byte, []string) {
	ids := make([]string, n)
	seen := make(map[string]bool, n)
	var list strings.Builder
	list.Grow(n * 39)
	for i := range ids {
		ids[i] = id("revoked", i)
		if seen[ids[i]] {
			log.Fatalf("id %d repeats an earlier one", i)
		}
		seen[ids[i]] = true
		if i > 0 {
			list.WriteByte(',')
		}
		list.WriteString(`"` + ids[i] + `"`)
	}
	body := fmt.Sprintf(`{"epoch":%d,"issued_at":"%s","issuer_kid":"%s","revoked_ids":[%s],"valid_until":"%s"}`,
		setEpoch, setIssuedAt, setKID, list.String(), setValidTill)
	canon, err := canonical.Transform([]byte(body), len(body))
	if err != nil || !bytes.Equal(canon, []byte(body)) {
		log.Fatalf("revocation set of %d ids is not in canonical form (%v)", n, err)
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, []byte(body)))
	// "signature" sorts between "revoked_ids" and "valid_until".
	i := strings.LastIndex(body, `,"valid_until"`)
	return []byte(body[:i] + `,"signature":"` + sig + `"` + body[i:]), ids
}

// forgedSet returns a revocation set of at most size bytes that a forger
// can write without the key: the members of a genuine set with an empty
// revoked_ids, a signature that does not verify, and as many small
// members ("a0b1":0, 9 bytes each, names of four characters) as fit, so
// that a verifier that parses or canonicalizes before it checks the
// signature does so for millions of members. It returns the document and
// its count of top-level members.
func forgedSet(size int) ([]byte, int) {
	head := fmt.Sprintf(`{"epoch":1,"issued_at":"%s","issuer_kid":"%s","revoked_ids":[],"valid_until":"%s"`,
		setIssuedAt, setKID, setValidTill)
	// A signature of the right length over other bytes: it decodes, and
	// does not verify.
	fake := sha512.Sum512([]byte("licverify bench forged signature"))
	tail := `,"signature":"` + base64.StdEncoding.EncodeToString(fake[:]) + `"}`
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(head)
	members := 5
	name := make([]byte, 4)
	for i := 0; b.Len()+9+len(tail) <= size; i++ {
		x := i
		for k := 3; k >= 0; k-- {
			name[k] = alphabet[x%len(alphabet)]
			x /= len(alphabet)
		}
		if x != 0 {
			log.Fatal("forged set: out of four-character names")
		}
		b.WriteString(`,"`)
		b.Write(name)
		b.WriteString(`":0`)
		members++
	}
	b.WriteString(tail)
	return b.Bytes(), members + 1
}

// vectorRequest returns the request of one test vector as compact JSON,
// its members in the order of the vector file, and as its frame.
func vectorRequest(files []testvectors.File, topic, id string) ([]byte, []byte, error) {
	for _, f := range files {
		if f.Topic != topic {
			continue
		}
		for _, t := range f.Tests {
			if t.ID == id {
				var b bytes.Buffer
				if err := json.Compact(&b, t.Request); err != nil {
					return nil, nil, err
				}
				return b.Bytes(), t.Frame, nil
			}
		}
	}
	return nil, nil, fmt.Errorf("no vector %q in topic %s", id, topic)
}
