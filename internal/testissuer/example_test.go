package testissuer_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/licverify/licverify/internal/testissuer"
	"github.com/licverify/licverify/verify"
)

// A Go test runs the issuer in process and verifies what it serves with
// the issuer's keyring.
func Example() {
	srv := httptest.NewServer(testissuer.New())
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/v2/status-proof",
		strings.NewReader(`{"license_id":"`+testissuer.LicenseID+`","device_fingerprint":`+testissuer.Fingerprint+`}`))
	req.Header.Set("Authorization", "Bearer "+testissuer.APIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	keys, _ := verify.ParseKeyring([]byte(testissuer.Keyring()))
	res, _ := verify.StatusProof(answer, keys, verify.StatusProofOptions{
		Now: testissuer.Start.Add(time.Hour), LicenseID: testissuer.LicenseID, Fingerprint: []byte(testissuer.Fingerprint),
	})
	fmt.Println(res.Code, res.Epoch, res.CheckedAt.Format(time.RFC3339), res.RefreshAfter.Format(time.RFC3339))
	// Output: ok 1 2026-03-01T00:00:00Z 2026-03-01T18:00:00Z
}
