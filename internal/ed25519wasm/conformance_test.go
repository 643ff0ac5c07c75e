package ed25519wasm

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/edwards25519"
	"github.com/licverify/licverify/internal/conformance"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every public conformance verdict through Verify, pinned exactly as
// verify/ed25519_test.go pins crypto/ed25519's: the same expected verdict
// for bare crypto/ed25519 (before licverify's key check), and Verify must
// give it, and agree with crypto/ed25519.Verify on every vector. Where the
// data is absent the tests skip, and under CI=true fail
// (internal/conformance).

// vector is one conformance case: the inputs and, where the source says,
// crypto/ed25519's verdict.
type vector struct {
	name          string
	pub, msg, sig []byte
	want          bool
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(fmt.Sprintf("bad hex %q: %v", s, err))
	}
	return b
}

// The loaders read the files under dir and return their vectors, each with
// the verdict of bare crypto/ed25519 that verify/ed25519_test.go pins.

// wycheproofVectors: Wycheproof ed25519_test.json has no "acceptable"
// cases; valid must verify, invalid must not.
func wycheproofVectors(dir string) ([]vector, int, error) {
	data, err := os.ReadFile(filepath.Join(dir, "c2sp-wycheproof", "testvectors_v1", "ed25519_test.json"))
	if err != nil {
		return nil, 0, err
	}
	var file struct {
		NumberOfTests int `json:"numberOfTests"`
		TestGroups    []struct {
			PublicKey struct {
				PK string `json:"pk"`
			} `json:"publicKey"`
			Tests []struct {
				TcID    int      `json:"tcId"`
				Comment string   `json:"comment"`
				Flags   []string `json:"flags"`
				Msg     string   `json:"msg"`
				Sig     string   `json:"sig"`
				Result  string   `json:"result"`
			} `json:"tests"`
		} `json:"testGroups"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, 0, err
	}
	var out []vector
	for _, g := range file.TestGroups {
		for _, tc := range g.Tests {
			if tc.Result != "valid" && tc.Result != "invalid" {
				return nil, 0, fmt.Errorf("tcId %d: result %q has no policy here", tc.TcID, tc.Result)
			}
			out = append(out, vector{
				name: fmt.Sprintf("wycheproof tcId %d %v %s", tc.TcID, tc.Flags, tc.Comment),
				pub:  unhex(g.PublicKey.PK), msg: unhex(tc.Msg), sig: unhex(tc.Sig),
				want: tc.Result == "valid",
			})
		}
	}
	return out, file.NumberOfTests, nil
}

// cctvVectors: crypto/ed25519 follows the "ref10" rule of the CCTV README:
// it rejects non_canonical_R and low_order_residue and accepts the rest.
// The message is the ASCII string.
func cctvVectors(dir string) ([]vector, error) {
	data, err := os.ReadFile(filepath.Join(dir, "c2sp-cctv", "ed25519", "ed25519vectors.json"))
	if err != nil {
		return nil, err
	}
	var vs []struct {
		Number int      `json:"number"`
		Key    string   `json:"key"`
		Sig    string   `json:"sig"`
		Msg    string   `json:"msg"`
		Flags  []string `json:"flags"`
	}
	if err := json.Unmarshal(data, &vs); err != nil {
		return nil, err
	}
	var out []vector
	for _, v := range vs {
		out = append(out, vector{
			name: fmt.Sprintf("cctv %d %v", v.Number, v.Flags),
			pub:  unhex(v.Key), msg: []byte(v.Msg), sig: unhex(v.Sig),
			want: !slices.Contains(v.Flags, "non_canonical_R") && !slices.Contains(v.Flags, "low_order_residue"),
		})
	}
	return out, nil
}

// speccheckVectors: upstream's result row for Go, V V V V X X X X X X X V
// (case 11 has a non-canonical A, which Go decodes).
func speccheckVectors(dir string) ([]vector, error) {
	data, err := os.ReadFile(filepath.Join(dir, "novifinancial-ed25519-speccheck", "cases.json"))
	if err != nil {
		return nil, err
	}
	var cs []struct {
		Message   string `json:"message"`
		PubKey    string `json:"pub_key"`
		Signature string `json:"signature"`
	}
	if err := json.Unmarshal(data, &cs); err != nil {
		return nil, err
	}
	var out []vector
	for i, c := range cs {
		out = append(out, vector{
			name: fmt.Sprintf("speccheck case %d", i),
			pub:  unhex(c.PubKey), msg: unhex(c.Message), sig: unhex(c.Signature),
			want: i <= 3 || i == 11,
		})
	}
	return out, nil
}

// signInputVectors: DJB's sign.input, seed||pub : pub : message :
// signature||message. Every signature verifies.
func signInputVectors(dir string) ([]vector, error) {
	f, err := os.Open(filepath.Join(dir, "pyca-ed25519", "test_data", "ed25519"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		x := strings.Split(sc.Text(), ":")
		if len(x) != 5 {
			return nil, fmt.Errorf("line %d: %d fields", len(out)+1, len(x))
		}
		sm := unhex(x[3])
		out = append(out, vector{
			name: fmt.Sprintf("sign.input line %d", len(out)+1),
			pub:  unhex(x[1]), msg: unhex(x[2]), sig: sm[:64],
			want: true,
		})
	}
	return out, sc.Err()
}

// zip215Vectors: noble's zip215.json, every combination of the 14
// small-order encodings for A and R with S = 0, over "Zcash". The file
// has no verdict for crypto/ed25519; the test pins it by count.
func zip215Vectors(dir string) ([]vector, error) {
	data, err := os.ReadFile(filepath.Join(dir, "paulmillr-noble-ed25519", "test", "vectors", "ed25519", "zip215.json"))
	if err != nil {
		return nil, err
	}
	var vs []struct {
		VK  string `json:"vk_bytes"`
		Sig string `json:"sig_bytes"`
	}
	if err := json.Unmarshal(data, &vs); err != nil {
		return nil, err
	}
	var out []vector
	for i, v := range vs {
		out = append(out, vector{name: fmt.Sprintf("zip215 %d", i), pub: unhex(v.VK), msg: []byte("Zcash"), sig: unhex(v.Sig)})
	}
	return out, nil
}

// requireSame checks one vector: Verify gives want, and so does
// crypto/ed25519.Verify (the pin holds for the reference as well).
func requireSame(t *testing.T, v vector) bool {
	t.Helper()
	got := Verify(v.pub, v.msg, v.sig)
	ref := ed25519.Verify(v.pub, v.msg, v.sig)
	return assert.Equal(t, v.want, ref, "%s: crypto/ed25519", v.name) &&
		assert.Equal(t, v.want, got, "%s: ed25519wasm", v.name)
}

func TestWycheproof(t *testing.T) {
	dir := conformance.Dir(t)
	conformance.Path(t, "c2sp-wycheproof", "testvectors_v1", "ed25519_test.json")
	vs, n, err := wycheproofVectors(dir)
	require.NoError(t, err)
	require.Len(t, vs, n)
	match, valid := 0, 0
	for _, v := range vs {
		if requireSame(t, v) {
			match++
		}
		if v.want {
			valid++
		}
	}
	require.Equal(t, len(vs), match)
	t.Logf("wycheproof: %d/%d verdicts match (%d valid)", match, len(vs), valid)
}

func TestCCTV(t *testing.T) {
	dir := conformance.Dir(t)
	conformance.Path(t, "c2sp-cctv", "ed25519", "ed25519vectors.json")
	vs, err := cctvVectors(dir)
	require.NoError(t, err)
	require.Len(t, vs, 914)
	match, accepted := 0, 0
	for _, v := range vs {
		if requireSame(t, v) {
			match++
		}
		if v.want {
			accepted++
		}
	}
	require.Equal(t, len(vs), match)
	t.Logf("cctv: %d/%d verdicts match the ref10 rule (%d accepted)", match, len(vs), accepted)
}

func TestSpeccheck(t *testing.T) {
	dir := conformance.Dir(t)
	conformance.Path(t, "novifinancial-ed25519-speccheck", "cases.json")
	vs, err := speccheckVectors(dir)
	require.NoError(t, err)
	require.Len(t, vs, 12)
	match := 0
	for _, v := range vs {
		if requireSame(t, v) {
			match++
		}
	}
	require.Equal(t, len(vs), match)
	t.Logf("speccheck: %d/%d verdicts match Go's row", match, len(vs))
}

// TestSignInput: every sign.input signature verifies; a flipped bit of the
// message, a byte more, or a flipped bit of the signature does not.
func TestSignInput(t *testing.T) {
	dir := conformance.Dir(t)
	conformance.Path(t, "pyca-ed25519", "test_data", "ed25519")
	vs, err := signInputVectors(dir)
	require.NoError(t, err)
	require.Len(t, vs, 1024)
	match := 0
	for i, v := range vs {
		ok := requireSame(t, v)
		if len(v.msg) > 0 {
			m := bytes.Clone(v.msg)
			m[len(m)/2] ^= 0x10
			ok = requireSame(t, vector{v.name + " message bit", v.pub, m, v.sig, false}) && ok
		}
		ok = requireSame(t, vector{v.name + " message byte", v.pub, append(bytes.Clone(v.msg), 0), v.sig, false}) && ok
		s := bytes.Clone(v.sig)
		s[(i+1)%64] ^= 1
		ok = requireSame(t, vector{v.name + " signature bit", v.pub, v.msg, s, false}) && ok
		if ok {
			match++
		}
	}
	require.Equal(t, len(vs), match)
	t.Logf("sign.input: %d/%d", match, len(vs))
}

// TestRFC8032SHAabc is RFC 8032 §7.1 TEST SHA(abc), the §7.1 vector that
// is not in sign.input.
func TestRFC8032SHAabc(t *testing.T) {
	pub := unhex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf")
	msg := sha512.Sum512([]byte("abc"))
	sig := unhex("dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704")
	require.True(t, requireSame(t, vector{"SHA(abc)", pub, msg[:], sig, true}))
	require.True(t, requireSame(t, vector{"abc", pub, []byte("abc"), sig, false}))
}

// zip215Accepted is how many of the 196 ZIP 215 vectors crypto/ed25519
// accepts: those whose R is the canonical encoding of −[k]A (S = 0).
const zip215Accepted = 12

// TestZIP215: crypto/ed25519 and Verify agree on all 196 vectors, and
// accept the same pinned number of them. (licverify refuses every one of
// these keys at load, as being of small order.)
func TestZIP215(t *testing.T) {
	dir := conformance.Dir(t)
	conformance.Path(t, "paulmillr-noble-ed25519", "test", "vectors", "ed25519", "zip215.json")
	vs, err := zip215Vectors(dir)
	require.NoError(t, err)
	require.Len(t, vs, 196)
	match, accepted := 0, 0
	for _, v := range vs {
		v.want = ed25519.Verify(v.pub, v.msg, v.sig)
		// The verdict from first principles, with filippo.io/edwards25519:
		// S = 0, so R must be the canonical encoding of −[k]A.
		A, err := new(edwards25519.Point).SetBytes(v.pub)
		require.NoError(t, err)
		h := sha512.Sum512(slices.Concat(v.sig[:32], v.pub, v.msg))
		k, err := edwards25519.NewScalar().SetUniformBytes(h[:])
		require.NoError(t, err)
		require.Equal(t, bytes.Equal(new(edwards25519.Point).ScalarMult(k, A).Negate(new(edwards25519.Point).ScalarMult(k, A)).Bytes(), v.sig[:32]) &&
			bytes.Equal(v.sig[32:], make([]byte, 32)), v.want, "%s: −[k]A", v.name)
		if requireSame(t, v) {
			match++
		}
		if v.want {
			accepted++
		}
	}
	require.Equal(t, len(vs), match)
	require.Equal(t, zip215Accepted, accepted, "crypto/ed25519 accepts a different number of ZIP 215 vectors")
	t.Logf("zip215: %d/%d verdicts match crypto/ed25519 (%d accepted)", match, len(vs), accepted)
}

// seedDir returns the conformance directory for seeding fuzz targets, or
// "" when it is absent: seeds are optional, the tests above are not.
func seedDir() string {
	if env := os.Getenv("LICVERIFY_CONFORMANCE"); env != "" {
		return env
	}
	dir := filepath.Join("..", "..", "..", "shared", "conformance")
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// conformanceSeeds returns every conformance vector that can be read.
func conformanceSeeds() []vector {
	dir := seedDir()
	if dir == "" {
		return nil
	}
	var all []vector
	if vs, _, err := wycheproofVectors(dir); err == nil {
		all = append(all, vs...)
	}
	for _, load := range []func(string) ([]vector, error){cctvVectors, speccheckVectors, signInputVectors, zip215Vectors} {
		if vs, err := load(dir); err == nil {
			all = append(all, vs...)
		}
	}
	return all
}
