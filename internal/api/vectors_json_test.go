package api_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
	"github.com/stretchr/testify/require"
)

// TestVectorResultsMatchEncodingJSON: for every vector, the module's
// answer is the bytes encoding/json (HTML escaping off) writes for the
// handler's result value. The license and .qkey results
// write themselves; verify's TestResultJSONMatchesEncodingJSON holds them
// to encoding/json.
func TestVectorResultsMatchEncodingJSON(t *testing.T) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	compared := 0
	for _, f := range files {
		for _, v := range f.Tests {
			got, res, err := api.Answer(v.Frame)
			if err != nil {
				continue
			}
			if _, own := res.(json.Marshaler); own {
				require.True(t, json.Valid(got), v.ID)
				continue
			}
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(res), v.ID)
			require.Equal(t, string(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), string(got), v.ID)
			compared++
		}
	}
	require.Greater(t, compared, 200)
	t.Logf("%d results equal to encoding/json's", compared)
}
