package verify

import (
	"time"

	"github.com/licverify/licverify/internal/jsontext"
)

// The license and .qkey results write their JSON member by member, in the
// order and with the omissions of their struct tags, because the module
// carries no encoding/json (its reflection was a fifth of the .wasm).
// json_test.go holds them, on 20,000 generated results with each member
// set and unset, to what encoding/json wrote for the same struct; the
// vectors' results go through them in every runtime.

// appendResult writes the members of Result, without braces.
func appendResult(w *jsontext.Writer, r Result) {
	w.ResultMembers(r.Valid, string(r.Code), r.Message)
}

// appendOptTime writes a *time.Time member as encoding/json does: null
// for nil.
func appendOptTime(w *jsontext.Writer, t *time.Time) {
	if t == nil {
		w.Raw("null")
		return
	}
	w.Time(*t)
}

// appendOptString writes a *string member: null for nil.
func appendOptString(w *jsontext.Writer, s *string) {
	if s == nil {
		w.Raw("null")
		return
	}
	w.String(*s)
}

// MarshalJSON writes no claims until the license has been evaluated (its
// trusted time is set), and everything after. Reasons is written as []
// rather than null once evaluated.
func (r LicenseResult) MarshalJSON() ([]byte, error) {
	w := jsontext.Writer{B: make([]byte, 0, 1024)}
	w.Raw("{")
	appendResult(&w, r.Result)
	if r.TrustedTime.IsZero() {
		d, reasons := r.Decision, r.Reasons
		if d == "" {
			d, reasons = DecisionBlock, []string{string(r.Code)}
		}
		w.Raw(`,"decision":`)
		w.String(string(d))
		w.Raw(`,"reasons":`)
		w.Strings(reasons)
		w.Raw("}")
		return w.Bytes()
	}
	reasons := r.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	w.Raw(`,"decision":`)
	w.String(string(r.Decision))
	w.Raw(`,"reasons":`)
	w.Strings(reasons)
	w.Raw(`,"license_id":`)
	w.String(r.LicenseID)
	w.Raw(`,"product_id":`)
	w.String(r.ProductID)
	w.Raw(`,"customer_id":`)
	w.String(r.CustomerID)
	w.Raw(`,"customer_name":`)
	w.String(r.CustomerName)
	w.Raw(`,"plan":`)
	w.String(r.Plan)
	w.Raw(`,"status":`)
	w.String(r.Status)
	w.Raw(`,"issued_at":`)
	w.Time(r.IssuedAt)
	w.Raw(`,"expires_at":`)
	w.Time(r.ExpiresAt)
	if r.UpdatesUntil != nil {
		w.Raw(`,"updates_until":`)
		w.Time(*r.UpdatesUntil)
	}
	if r.TrialDays != 0 {
		w.Raw(`,"trial_days":`)
		w.Int(r.TrialDays)
	}
	if r.TrialEndsAt != nil {
		w.Raw(`,"trial_ends_at":`)
		w.Time(*r.TrialEndsAt)
	}
	w.Raw(`,"bound":`)
	w.Bool(r.Bound)
	if r.FingerprintHash != "" {
		w.Raw(`,"fingerprint_hash":`)
		w.String(r.FingerprintHash)
	}
	w.Raw(`,"signed_form":`)
	w.String(r.SignedForm)
	w.Raw(`,"policy":{"check_interval_days":`)
	w.Int(r.Policy.CheckIntervalDays)
	w.Raw(`,"warn_after_days":`)
	w.Int(r.Policy.WarnAfterDays)
	w.Raw(`,"max_offline_days":`)
	w.Int(r.Policy.MaxOfflineDays)
	w.Raw(`,"max_transfers":`)
	w.Int(r.Policy.MaxTransfers)
	w.Raw(`},"trusted_time":`)
	w.Time(r.TrustedTime)
	w.Raw(`,"days_to_expiry":`)
	w.Int(r.DaysToExpiry)
	w.Raw(`,"days_offline":`)
	w.Int(r.DaysOffline)
	w.Raw(`,"check_due":`)
	w.Bool(r.CheckDue)
	if r.UpdateAllowed != nil {
		w.Raw(`,"update_allowed":`)
		w.Bool(*r.UpdateAllowed)
	}
	if r.State != nil {
		w.Raw(`,"state":`)
		r.State.appendJSON(&w)
	}
	w.Raw("}")
	return w.Bytes()
}

// appendJSON writes the state as license.state.json: every member, null
// for the nullable ones that are unset.
func (s *LicenseState) appendJSON(w *jsontext.Writer) {
	w.Raw(`{"schema_version":`)
	w.Int(int64(s.SchemaVersion))
	w.Raw(`,"license_id":`)
	w.String(s.LicenseID)
	w.Raw(`,"product_id":`)
	w.String(s.ProductID)
	w.Raw(`,"first_activated_at":`)
	w.Time(s.FirstActivatedAt)
	w.Raw(`,"last_success_check_at":`)
	appendOptTime(w, s.LastSuccessCheckAt)
	w.Raw(`,"next_check_due_at":`)
	w.Time(s.NextCheckDueAt)
	w.Raw(`,"last_server_status":`)
	appendOptString(w, s.LastServerStatus)
	w.Raw(`,"last_server_message":`)
	appendOptString(w, s.LastServerMessage)
	w.Raw(`,"locked_to_fingerprint_hash":`)
	appendOptString(w, s.LockedToFingerprintHash)
	w.Raw(`,"clock_guard":{"last_seen_time":`)
	w.Time(s.ClockGuard.LastSeenTime)
	w.Raw(`,"rollback_count":`)
	w.Int(s.ClockGuard.RollbackCount)
	w.Raw("}}")
}

// MarshalJSON writes only valid, code and message until the claims are
// set, and everything after. Features is written as [] rather than null.
func (r QKeyResult) MarshalJSON() ([]byte, error) {
	w := jsontext.Writer{B: make([]byte, 0, 512)}
	w.Raw("{")
	appendResult(&w, r.Result)
	if r.Package != "" {
		features := r.Features
		if features == nil {
			features = []string{}
		}
		w.Raw(`,"package":`)
		w.String(r.Package)
		w.Raw(`,"user":`)
		w.String(r.User)
		w.Raw(`,"machine_id":`)
		w.String(r.MachineID)
		w.Raw(`,"features":`)
		w.Strings(features)
		w.Raw(`,"issued":`)
		w.Time(r.Issued)
		w.Raw(`,"expires":`)
		w.Time(r.Expires)
		w.Raw(`,"days_left":`)
		w.Int(r.DaysLeft)
		w.Raw(`,"signed":`)
		w.Bool(r.Signed)
		if r.SignedForm != "" {
			w.Raw(`,"signed_form":`)
			w.String(r.SignedForm)
		}
	}
	w.Raw("}")
	return w.Bytes()
}
