package api_test

import (
	"encoding/json"
	"testing"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/testvectors"
	"github.com/stretchr/testify/require"
)

// TestLifecycleAnswersAreTheOpsOwn: for every plan vector, the answer's
// proof member is byte for byte what status_proof answers for the same
// members, and its set member what revocation_set answers for set, deltas,
// min_epoch and skew_seconds with a lookup of the proof's license id; for
// accept, a fetched proof's or full set's result is what status_proof or
// revocation_set answers for it.
func TestLifecycleAnswersAreTheOpsOwn(t *testing.T) {
	files, err := testvectors.Load(testvectors.Dir())
	require.NoError(t, err)
	compared := 0
	for _, f := range files {
		if f.Name != "lifecycle.json" {
			continue
		}
		for _, v := range f.Tests {
			if v.IsBadRequest() {
				continue
			}
			header, parts, err := api.SplitFrame(v.Frame)
			require.NoError(t, err)
			var h map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(header, &h))
			var got map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(api.Handle(v.Frame), &got), v.ID)
			// ask answers op with the header members and parts named.
			ask := func(op string, members []string, extra map[string]any, partNames map[string]string) string {
				hh := map[string]any{"op": op}
				for _, m := range members {
					if raw, ok := h[m]; ok {
						hh[m] = raw
					}
				}
				for k, x := range extra {
					hh[k] = x
				}
				hb, err := json.Marshal(hh)
				require.NoError(t, err)
				var ps []api.Part
				for _, p := range parts {
					if to, ok := partNames[p.Name]; ok {
						ps = append(ps, api.Part{Name: to, Data: p.Data})
					}
				}
				return string(api.Handle(api.Frame(hb, ps...)))
			}
			proofMembers := []string{"now", "license_id", "min_epoch", "max_ttl_seconds", "skew_seconds"}
			setMembers := []string{"now", "min_epoch", "skew_seconds"}
			switch string(h["op"]) {
			case `"plan"`:
				if p, ok := got["proof"]; ok {
					members := proofMembers
					if usableChain(t, got["set"]) {
						// A chain that verified to the stored epoch answers
						// for revocations up to it: the proof is checked
						// without min_epoch (formats.md, "The lifecycle ops").
						members = []string{"now", "license_id", "max_ttl_seconds", "skew_seconds"}
					}
					require.Equal(t, ask("status_proof", members, nil,
						map[string]string{"keys": "keys", "proof": "proof", "fingerprint": "fingerprint"}), string(p), v.ID)
					compared++
				}
				if s, ok := got["set"]; ok {
					var claims struct {
						LicenseID *string `json:"license_id"`
					}
					if p, ok := got["proof"]; ok {
						require.NoError(t, json.Unmarshal(p, &claims))
					}
					extra := map[string]any{}
					if claims.LicenseID != nil {
						extra["lookup"] = []string{*claims.LicenseID}
					}
					require.Equal(t, ask("revocation_set", setMembers, extra,
						map[string]string{"keys": "keys", "set": "set", "deltas": "deltas"}), string(s), v.ID)
					compared++
				}
			case `"accept"`:
				_, licensed := h["license_id"]
				switch {
				case string(h["kind"]) == `"proof"` && licensed:
					require.Equal(t, ask("status_proof", proofMembers, nil,
						map[string]string{"keys": "keys", "fetched": "proof", "fingerprint": "fingerprint"}), string(got["result"]), v.ID)
					compared++
				case string(h["kind"]) == `"revocation"`:
					var claims struct {
						SinceEpoch *int64 `json:"since_epoch"`
					}
					for _, p := range parts {
						if p.Name == "fetched" {
							_ = json.Unmarshal(p.Data, &claims)
						}
					}
					if claims.SinceEpoch == nil {
						require.Equal(t, ask("revocation_set", setMembers, nil,
							map[string]string{"keys": "keys", "fetched": "set"}), string(got["result"]), v.ID)
						compared++
					}
				}
			}
		}
	}
	require.Greater(t, compared, 80)
	t.Logf("%d members equal to the op's own answer", compared)
}

// usableChain reports whether plan's set member is a chain that verified
// up to its freshness: valid, or refused only as set_expired.
func usableChain(t *testing.T, set json.RawMessage) bool {
	if set == nil {
		return false
	}
	var r struct {
		Code string `json:"code"`
	}
	require.NoError(t, json.Unmarshal(set, &r))
	return r.Code == "ok" || r.Code == "set_expired"
}
