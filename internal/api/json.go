package api

import (
	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/verify"
)

// The handlers' results are written member by member, in the order and
// with the omissions of their struct tags (embedded structs inline, as
// encoding/json writes them), because the module carries no encoding/json;
// each handler is registered with its result's writer. The tests
// hold every vector's result, and results of every type with each member
// set and unset, to encoding/json's encoding of the same value.

// appendLicense writes a license result: verify writes it
// (LicenseResult.MarshalJSON).
func appendLicense(w *jsontext.Writer, r *verify.LicenseResult) {
	b, err := r.MarshalJSON()
	appendMarshaled(w, b, err)
}

// appendQKey writes a .qkey result: verify writes it
// (QKeyResult.MarshalJSON).
func appendQKey(w *jsontext.Writer, r *verify.QKeyResult) {
	b, err := r.MarshalJSON()
	appendMarshaled(w, b, err)
}

func appendMarshaled(w *jsontext.Writer, b []byte, err error) {
	w.B = append(w.B, b...)
	if err != nil && w.Err == nil {
		w.Err = err
	}
}

// appendResultObject writes a result that is only verify.Result.
func appendResultObject(w *jsontext.Writer, r verify.Result) {
	w.Raw("{")
	appendResult(w, r)
	w.Raw("}")
}

func appendLookupResponse(w *jsontext.Writer, r revocationLookupResponse) {
	w.Raw("{")
	appendResult(w, r.Result)
	w.Raw(`,"epoch":`)
	w.Int(r.Epoch)
	if r.Stale {
		w.Raw(`,"stale":true`)
	}
	if r.Lookups != nil {
		w.Raw(`,"lookups":`)
		appendLookups(w, r.Lookups)
	}
	w.Raw("}")
}

func appendCanonicalize(w *jsontext.Writer, r canonicalizeResult) {
	w.Raw("{")
	appendResult(w, r.Result)
	if r.Canonical != nil {
		w.Raw(`,"canonical":`)
		w.String(*r.Canonical)
	}
	w.Raw("}")
}

func appendFingerprint(w *jsontext.Writer, r fingerprintResult) {
	w.Raw("{")
	appendResult(w, r.Result)
	if r.Fingerprint != nil {
		w.Raw(`,"binding_hash":`)
		w.String(r.Fingerprint.Hash)
		w.Raw(`,"machine_id":`)
		w.String(r.Fingerprint.MachineID)
	}
	w.Raw("}")
}

// appendResult writes the members of verify.Result, without braces.
func appendResult(w *jsontext.Writer, r verify.Result) {
	w.ResultMembers(r.Valid, string(r.Code), r.Message)
}

func appendStatusProof(w *jsontext.Writer, r *verify.StatusProofResult) {
	w.Raw("{")
	appendResult(w, r.Result)
	if c := r.ProofClaims; c != nil {
		w.Raw(`,"license_id":`)
		w.String(c.LicenseID)
		w.Raw(`,"status":`)
		w.String(c.Status)
		w.Raw(`,"checked_at":`)
		w.Time(c.CheckedAt)
		w.Raw(`,"valid_until":`)
		w.Time(c.ValidUntil)
		w.Raw(`,"epoch":`)
		w.Int(c.Epoch)
		w.Raw(`,"entitlements":`)
		w.Strings(c.Entitlements)
		w.Raw(`,"kid":`)
		w.String(c.KID)
		w.Raw(`,"signed_form":`)
		w.String(c.SignedForm)
		w.Raw(`,"bound":`)
		w.Bool(c.Bound)
		if !c.RefreshAfter.IsZero() {
			w.Raw(`,"refresh_after":`)
			w.Time(c.RefreshAfter)
		}
		if c.Grace {
			w.Raw(`,"grace":true`)
		}
		if c.StoreEpoch != nil {
			w.Raw(`,"store_epoch":`)
			w.Int(*c.StoreEpoch)
		}
	}
	w.Raw("}")
}

// appendRevocation writes a revocation_set answer, with the handle of
// revocation_load and revocation_apply when it is not 0.
func appendRevocation(w *jsontext.Writer, r revocationResponse, handle int64) {
	w.Raw("{")
	if res := r.RevocationSetResult; res != nil {
		appendResult(w, res.Result)
		if c := res.SetClaims; c != nil {
			w.Raw(`,"epoch":`)
			w.Int(c.Epoch)
			w.Raw(`,"issued_at":`)
			w.Time(c.IssuedAt)
			w.Raw(`,"valid_until":`)
			w.Time(c.ValidUntil)
			if c.KID != "" {
				w.Raw(`,"kid":`)
				w.String(c.KID)
			}
			w.Raw(`,"signed_form":`)
			w.String(c.SignedForm)
			w.Raw(`,"revoked_count":`)
			w.Int(int64(c.Revoked))
			w.Raw(`,"suspended_count":`)
			w.Int(int64(c.Suspended))
			if c.Stale {
				w.Raw(`,"stale":true`)
			}
			if c.StoreEpoch != nil {
				w.Raw(`,"store_epoch":`)
				w.Int(*c.StoreEpoch)
			}
		}
		if len(r.Lookups) > 0 {
			w.Raw(`,"lookups":`)
			appendLookups(w, r.Lookups)
		}
	} else if len(r.Lookups) > 0 {
		w.Raw(`"lookups":`)
		appendLookups(w, r.Lookups)
	}
	if handle != 0 {
		if r.RevocationSetResult != nil || len(r.Lookups) > 0 {
			w.Raw(",")
		}
		w.Raw(`"handle":`)
		w.Int(handle)
	}
	w.Raw("}")
}

// appendLookups writes lookup results as an array; nil as null, as
// encoding/json does (callers omit nil where the tag says so).
func appendLookups(w *jsontext.Writer, ls []verify.LookupResult) {
	if ls == nil {
		w.Raw("null")
		return
	}
	w.Raw("[")
	for i, l := range ls {
		if i > 0 {
			w.Raw(",")
		}
		w.Raw(`{"license_id":`)
		w.String(l.LicenseID)
		w.Raw(`,"status":`)
		w.String(l.Status)
		if !l.Until.IsZero() {
			w.Raw(`,"until":`)
			w.Time(l.Until)
		}
		w.Raw("}")
	}
	w.Raw("]")
}
