package host

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
	"github.com/stretchr/testify/require"
)

// stressCase is a request and the native response it must get.
type stressCase struct {
	id       string
	request  []byte
	response []byte
}

// stressCases returns every vector except encrypted .qkey files, whose
// PBKDF2 (100,000 iterations by design) would make the test about key
// derivation speed rather than concurrency.
func stressCases(t testing.TB) []stressCase {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	var cases []stressCase
	for _, f := range files {
		for _, tc := range f.Tests {
			var req struct {
				Op   string `json:"op"`
				QKey string `json:"qkey_b64"`
			}
			require.NoError(t, json.Unmarshal(tc.Request, &req))
			if tc.Pad != nil {
				continue // a 64 MiB document per call would test memory, not concurrency
			}
			if req.Op == "qkey" {
				if raw, err := base64.StdEncoding.DecodeString(req.QKey); err != nil || !json.Valid(raw) {
					continue
				}
			}
			cases = append(cases, stressCase{tc.ID, tc.Frame, api.Handle(tc.Frame)})
		}
	}
	require.NotEmpty(t, cases)
	return cases
}

// TestStress sends 8 × 2,000 mixed verifications through one Verifier
// from 8 goroutines; every response must equal the native one. Run it
// under -race (make test does). Its cache is empty, so the first calls run
// in the interpreter and the rest are handed over to the compiled module
// while calls are in flight.
func TestStress(t *testing.T) {
	const goroutines, calls = 8, 2000
	cases := stressCases(t)
	v := newVerifier(t, Options{MaxInstances: 4, CacheDir: t.TempDir()})
	require.NotNil(t, v.interp)
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				c := cases[(g*calls+i*7)%len(cases)]
				got, err := v.Call(context.Background(), c.request)
				if err != nil {
					errs <- fmt.Errorf("goroutine %d call %d (%s): %w", g, i, c.id, err)
					return
				}
				if !bytes.Equal(got, c.response) {
					errs <- fmt.Errorf("goroutine %d call %d (%s): got %s, want %s", g, i, c.id, got, c.response)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if !t.Failed() {
		fmt.Printf("stress: %d goroutines × %d calls over %d vectors, all identical to native\n", goroutines, calls, len(cases))
	}
}
