package verify

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/licverify/licverify/internal/conformance"
	"github.com/stretchr/testify/require"
)

// TestVerifyStreamMatchesCryptoEd25519: the check that hashes a signed
// form as it is written answers as crypto/ed25519.Verify on the whole
// message, for CCTV's 914 edge cases (non-canonical R and S, small and
// mixed order keys and R) and for random messages cut into random pieces,
// in this build (native, or internal/ed25519wasm under its tag).
func TestVerifyStreamMatchesCryptoEd25519(t *testing.T) {
	var vectors []struct {
		Key, Sig, Msg string
	}
	raw, err := os.ReadFile(conformance.Path(t, "c2sp-cctv", "ed25519", "ed25519vectors.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &vectors))
	agree := 0
	for i, v := range vectors {
		pub, _ := hex.DecodeString(v.Key)
		sig, _ := hex.DecodeString(v.Sig)
		want := ed25519.Verify(pub, []byte(v.Msg), sig)
		got := ed25519VerifyStream(pub, sig, func(w func([]byte)) { w([]byte(v.Msg)) })
		require.Equal(t, want, got, "cctv vector %d", i)
		agree++
	}
	r := rand.New(rand.NewPCG(25519, 1))
	seed := make([]byte, ed25519.SeedSize)
	for range 300 {
		for i := range seed {
			seed[i] = byte(r.IntN(256))
		}
		priv := ed25519.NewKeyFromSeed(seed)
		msg := make([]byte, r.IntN(200_000))
		for i := range msg {
			msg[i] = byte(r.IntN(256))
		}
		sig := ed25519.Sign(priv, msg)
		if r.IntN(2) == 0 {
			sig[r.IntN(64)] ^= byte(1 << r.IntN(8))
		}
		pieces := func(w func([]byte)) {
			for m := msg; len(m) > 0; {
				n := min(len(m), r.IntN(70_000)+1)
				w(m[:n])
				m = m[n:]
			}
		}
		pub := priv.Public().(ed25519.PublicKey)
		require.Equal(t, ed25519.Verify(pub, msg, sig), ed25519VerifyStream(pub, sig, pieces))
		agree++
	}
	t.Logf("%d verdicts agree", agree)
}
