package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log"
	"slices"
	"strings"
	"time"
)

// The license topic pins license.key verification and the license.state.json
// engine (formats.md §3) through the "license" request. Each vector states
// the decision, code and reasons the rule it exercises gives; the routine
// claims (days, the next state) are derived here from the same rules, and
// cross-checked against the stated reasons.
func init() {
	register(topic{
		name: "license",
		notes: map[string]string{
			"Seed":      "the example license of license-engine-schema-v1, verbatim or re-signed",
			"Envelope":  "signature present and well formed, checked before the fields",
			"Shape":     "field rules of the schema: types, enums, UTC times, trial/plan, fingerprint, policy",
			"Signature": "Ed25519 over the JCS form minus signature, tried against every key (no kid)",
			"Tamper":    "a signed license changed after signing",
			"Unknown":   "unknown members are ignored for meaning and covered by the signature",
			"Block":     "a rule that blocks: product, status, binding, expiry, trial, offline",
			"Binding":   "fingerprint binding: pre-bound, bound at first activation, or unbound",
			"Timeline":  "one license evaluated over a year offline, state carried from step to step",
			"Clock":     "clock guard: trusted time = max(now, last_seen_time); rollbacks counted",
			"State":     "license.state.json read, ignored when invalid/foreign/future, and written",
			"Trial":     "trial end = min(expires_at, first activation + trial_days)",
			"Update":    "update_allowed = release_date <= updates_until",
			"Policy":    "policy defaults and limits",
			"Boundary":  "a time exactly on a limit",
			"PythonUTC": "a UTC time as CPython's datetime.isoformat() writes an aware one: +00:00, with .ffffff when there are microseconds",
		},
		tests: licenseTests,
	})
}

const (
	licNow     = "2026-03-01T12:00:00Z"
	licProduct = "calcpro"
)

var (
	licMachineA = licHashOf("machine A")
	licMachineB = licHashOf("machine B")
	licKeys     = keyring(ringKey{kid: "license-2025", name: "license"})
)

func licHashOf(label string) string {
	sum := sha256.Sum256([]byte("licverify test machine " + label))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func licTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		log.Fatalf("license: bad time %q", s)
	}
	return t.UTC()
}

func licFmt(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// licAdd returns s plus days days (a UTC day is 86 400 s).
func licAdd(s string, days int) string {
	return licFmt(licTime(s).Add(time.Duration(days) * 24 * time.Hour))
}

// licFloorDays is whole days from a to b, rounded toward minus infinity.
func licFloorDays(a, b time.Time) int {
	d := b.Sub(a)
	n := int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		n--
	}
	return n
}

// licDoc is a perpetual license for calcpro, bound to machine A at issue.
func licDoc() map[string]any {
	return map[string]any{
		"schema_version": 1,
		"license_id":     "LIC-9F3B2C8A",
		"product_id":     licProduct,
		"customer":       map[string]any{"customer_id": "CUST-00192", "name": "DM Sphere Pharmacy Limited"},
		"plan":           "perpetual",
		"status":         "ACTIVE",
		"issued_at":      "2025-12-23T00:00:00Z",
		"expires_at":     "2124-12-23T00:00:00Z",
		"updates_until":  "2031-12-23T00:00:00Z",
		"trial":          map[string]any{"trial_days": nil},
		"fingerprint":    map[string]any{"mode": "machine", "bound": true, "fingerprint_hash": licMachineA},
		"policy":         map[string]any{"check_interval_days": 30, "warn_after_days": 180, "max_offline_days": 365, "max_transfers": 2},
		"meta":           map[string]any{"notes": nil},
		"signature_alg":  "ed25519",
	}
}

// licTrialDoc is a 14-day trial, unbound, expiring at the end of 2026.
func licTrialDoc() map[string]any {
	d := licDoc()
	d["plan"], d["status"] = "trial", "TRIAL"
	d["license_id"] = "LIC-TRIAL0001"
	d["expires_at"] = "2026-12-31T00:00:00Z"
	d["updates_until"] = "2026-12-31T00:00:00Z"
	d["trial"] = map[string]any{"trial_days": 14}
	d["fingerprint"] = map[string]any{"mode": "machine", "bound": false, "fingerprint_hash": nil}
	return d
}

// licWith returns a copy of doc with members set (a nil value deletes the
// member; use licNull for a JSON null).
func licWith(doc map[string]any, kv ...any) map[string]any {
	out := clone(doc)
	for i := 0; i < len(kv); i += 2 {
		path := strings.Split(kv[i].(string), ".")
		m := out
		for _, p := range path[:len(path)-1] {
			m = m[p].(map[string]any)
		}
		last := path[len(path)-1]
		switch v := kv[i+1].(type) {
		case nil:
			delete(m, last)
		case licNullT:
			m[last] = nil
		default:
			m[last] = v
		}
	}
	return out
}

type licNullT struct{}

var licNull licNullT

// licRun is one evaluation request.
type licRun struct {
	now     string // default licNow
	product string // default licProduct
	machine string
	state   any // nil: absent; string: raw text; []byte: bytes that are not text; map: its JSON text
	release string
	keys    string // default licKeys
	server  string // server_time: a successful online check's time
}

func (r licRun) request(license string) map[string]any {
	req := map[string]any{"op": "license", "keys": licKeys, "now": licNow, "license": license, "product_id": licProduct}
	if r.keys != "" {
		req["keys"] = r.keys
	}
	if r.now != "" {
		req["now"] = r.now
	}
	if r.product != "" {
		req["product_id"] = r.product
	}
	if r.machine != "" {
		req["fingerprint_hash"] = r.machine
	}
	switch s := r.state.(type) {
	case nil:
	case []byte:
		req["state_b64"] = base64.StdEncoding.EncodeToString(s)
	case string:
		req["state"] = s
	default:
		req["state"] = text(s)
	}
	if r.release != "" {
		req["release_date"] = r.release
	}
	if r.server != "" {
		req["server_time"] = r.server
	}
	return req
}

// licOutcome is what the rules give for one evaluation; the claims and the
// next state are derived from it and the license.
type licOutcome struct {
	decision string   // run, warn, block
	code     string   // "" means ok
	reasons  []string // in the documented order
	trusted  string   // default: the request's now
	first    string   // first_activated_at; default: trusted
	// carried from the previous state
	lastCheck     string // "" = null
	serverStatus  any
	serverMessage any
	locked        string // "" = null
	rollbacks     int
	noState       bool // product_mismatch: no state is written
	updateAllowed any  // nil: no release date given
}

// licExpect derives the expected result of evaluating doc (unsigned form)
// at run with outcome o.
func licExpect(doc map[string]any, run licRun, o licOutcome) map[string]any {
	now := run.now
	if now == "" {
		now = licNow
	}
	if o.trusted == "" {
		o.trusted = now
	}
	if o.first == "" {
		o.first = o.trusted
	}
	pol := map[string]any{"check_interval_days": 30, "warn_after_days": 180, "max_offline_days": 365, "max_transfers": 2}
	if p, ok := doc["policy"].(map[string]any); ok {
		for k, v := range p {
			pol[k] = v
		}
		// A default gives way to a written value: warnings never after
		// the block.
		_, warnGiven := p["warn_after_days"]
		_, maxGiven := p["max_offline_days"]
		if maxGiven && !warnGiven && licInt(p["max_offline_days"]) < 180 {
			pol["warn_after_days"] = p["max_offline_days"]
		}
		if warnGiven && !maxGiven && licInt(p["warn_after_days"]) > 365 {
			pol["max_offline_days"] = p["warn_after_days"]
		}
	}
	trusted, first := licTime(o.trusted), licTime(o.first)
	base := first
	if o.lastCheck != "" {
		base = licTime(o.lastCheck)
	}
	offline := max(0, licFloorDays(base, trusted))
	next := base.Add(time.Duration(licInt(pol["check_interval_days"])) * 24 * time.Hour)
	checkDue := !trusted.Before(next)
	expires := licTime(doc["expires_at"].(string))
	end := expires
	fp := doc["fingerprint"].(map[string]any)

	// The stated reasons must agree with what the policy arithmetic says.
	has := func(r string) bool { return slices.Contains(o.reasons, r) }
	if checkDue != has("check_due") {
		log.Fatalf("license: check_due %v but reasons %v", checkDue, o.reasons)
	}
	if (offline > licInt(pol["max_offline_days"])) != has("offline_too_long") ||
		(offline > licInt(pol["warn_after_days"]) && offline <= licInt(pol["max_offline_days"])) != has("offline_warn") {
		log.Fatalf("license: %d days offline but reasons %v", offline, o.reasons)
	}
	code := o.code
	if code == "" {
		code = "ok"
	}
	if (o.decision == "block") != (code != "ok") || (code != "ok" && o.reasons[0] != code) {
		log.Fatalf("license: decision %s, code %s, reasons %v", o.decision, code, o.reasons)
	}

	exp := map[string]any{
		"valid": code == "ok", "code": code, "decision": o.decision, "reasons": o.reasons,
		"license_id": doc["license_id"], "product_id": doc["product_id"],
		"customer_id":   doc["customer"].(map[string]any)["customer_id"],
		"customer_name": doc["customer"].(map[string]any)["name"],
		"plan":          doc["plan"], "status": doc["status"],
		"issued_at": licFmt(licTime(doc["issued_at"].(string))), "expires_at": licFmt(expires),
		"bound": fp["bound"], "policy": pol, "signed_form": "rfc8785", // sign writes RFC 8785
		"trusted_time": licFmt(trusted), "days_offline": offline, "check_due": checkDue,
	}
	if o.reasons == nil {
		exp["reasons"] = []string{}
	}
	if u, ok := doc["updates_until"].(string); ok {
		exp["updates_until"] = licFmt(licTime(u))
	}
	if h, ok := fp["fingerprint_hash"].(string); ok && h != "" {
		// "" is no hash, as null is: no claim.
		exp["fingerprint_hash"] = h
	}
	if doc["plan"] == "trial" {
		days := licInt(doc["trial"].(map[string]any)["trial_days"])
		if t := first.Add(time.Duration(days) * 24 * time.Hour); t.Before(end) {
			end = t
		}
		exp["trial_days"] = days
		exp["trial_ends_at"] = licFmt(end)
	}
	exp["days_to_expiry"] = licFloorDays(trusted, end)
	if o.updateAllowed != nil {
		exp["update_allowed"] = o.updateAllowed
	}
	if !o.noState {
		exp["state"] = map[string]any{
			"schema_version":             1,
			"license_id":                 doc["license_id"],
			"product_id":                 doc["product_id"],
			"first_activated_at":         licFmt(first),
			"last_success_check_at":      licOrNull(o.lastCheck),
			"next_check_due_at":          licFmt(next),
			"last_server_status":         o.serverStatus,
			"last_server_message":        o.serverMessage,
			"locked_to_fingerprint_hash": licOrNull(o.locked),
			"clock_guard":                map[string]any{"last_seen_time": licFmt(trusted), "rollback_count": o.rollbacks},
		}
	}
	return exp
}

// licInt reads an integer of a document tree (int, or int64 after clone).
func licInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	}
	log.Fatalf("license: %v is not an integer", v)
	return 0
}

func licOrNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// licRejected is a license refused before its evaluation: every license
// result carries a decision, block here, with the code as its one reason.
func licRejected(code string) map[string]any {
	return map[string]any{"valid": false, "code": code, "decision": "block", "reasons": []string{code}}
}

func licenseTests() []test {
	var tests []test
	add := func(id, comment string, flags []string, license string, run licRun, expected map[string]any) {
		tests = append(tests, test{ID: "license/" + id, Comment: comment, Flags: flags,
			Request: run.request(license), Expected: expected})
	}
	// ok adds a vector for a signed doc whose evaluation gives o.
	eval := func(id, comment string, flags []string, doc map[string]any, run licRun, o licOutcome) {
		add(id, comment, flags, text(sign(doc, "license")), run, licExpect(doc, run, o))
	}
	bad := func(id, comment string, flags []string, doc map[string]any, code string) {
		add(id, comment, flags, text(sign(doc, "license")), licRun{machine: licMachineA}, licRejected(code))
	}
	A := licRun{machine: licMachineA}

	// The seed's own example: its placeholder signature and hash.
	seed := `{
"schema_version": 1,

"license_id": "LIC-9F3B2C8A",
"product_id": "calcpro",

"customer": {
"customer_id": "CUST-00192",
"name": "DM Sphere Pharmacy Limited"
},

"plan": "perpetual",
"status": "ACTIVE",

"issued_at": "2025-12-23T00:00:00Z",
"expires_at": "2124-12-23T00:00:00Z",
"updates_until": "2031-12-23T00:00:00Z",

"trial": {
"trial_days": null
},

"fingerprint": {
"mode": "machine",
"bound": true,
"fingerprint_hash": "sha256:..."
},

"policy": {
"check_interval_days": 30,
"warn_after_days": 180,
"max_offline_days": 365,
"max_transfers": 2
},

"meta": {
"notes": null
},

"signature_alg": "ed25519",
"signature": "BASE64_SIGNATURE"
}`
	add("seed/verbatim", `the seed's example as printed: "BASE64_SIGNATURE" decodes to 12 bytes, not 64`,
		[]string{"Seed", "Envelope"}, seed, A, licRejected("malformed_signature"))
	seedDoc := licWith(licDoc(), "fingerprint.fingerprint_hash", "sha256:...")
	bad("seed/resigned-placeholder-hash", `the seed's example signed for real: its "sha256:..." is not a hash`,
		[]string{"Seed", "Shape"}, seedDoc, "invalid_field")
	eval("seed/resigned", "the seed's example with a real hash, signed, on its machine: runs",
		[]string{"Seed"}, licDoc(), A, licOutcome{decision: "run", locked: licMachineA})

	// Envelope, parse and signature.
	add("envelope/missing", "no signature member", []string{"Envelope"}, text(licDoc()), A, licRejected("signature_missing"))
	add("envelope/not-base64", "signature with a character outside base64", []string{"Envelope"},
		text(licWith(licDoc(), "signature", "not*base64")), A, licRejected("malformed_signature"))
	add("envelope/before-shape", "an unsigned license with schema_version 2 reports the envelope first",
		[]string{"Envelope"}, text(licWith(licDoc(), "schema_version", 2)), A, licRejected("signature_missing"))
	signed := text(sign(licDoc(), "license"))
	add("parse/duplicate-status", `"status" twice: the classic parser-differential bypass`, []string{"Shape"},
		strings.Replace(signed, `"status":"ACTIVE"`, `"status":"REVOKED","status":"ACTIVE"`, 1), A, licRejected("duplicate_key"))
	add("parse/truncated", "the license cut short", []string{"Shape"}, signed[:len(signed)-2], A, licRejected("malformed_json"))
	tampered := sign(licWith(licDoc(), "status", "REVOKED"), "license")
	tampered["status"] = "ACTIVE"
	add("tamper/status", "signed REVOKED, edited to ACTIVE", []string{"Tamper", "Signature"}, text(tampered), A, licRejected("bad_signature"))
	tampered = sign(licDoc(), "license")
	tampered["expires_at"] = "2224-12-23T00:00:00Z"
	add("tamper/expires", "expires_at pushed a century on", []string{"Tamper", "Signature"}, text(tampered), A, licRejected("bad_signature"))
	tampered = sign(licWith(licDoc(), "product_id", "otherapp"), "license")
	tampered["product_id"] = licProduct
	add("tamper/product", "a license for otherapp relabelled calcpro: bad_signature, never product_mismatch",
		[]string{"Tamper", "Signature"}, text(tampered), A, licRejected("bad_signature"))
	add("signature/other-key", "signed by a key not in the ring", []string{"Signature"},
		text(sign(licDoc(), "stranger")), A, licRejected("bad_signature"))
	add("signature/second-key", "no kid: every key in the ring is tried; the second verifies", []string{"Signature"},
		text(sign(licDoc(), "license")), licRun{machine: licMachineA,
			keys: keyring(ringKey{kid: "other", name: "stranger"}, ringKey{kid: "license-2025", name: "license"})},
		licExpect(licDoc(), A, licOutcome{decision: "run", locked: licMachineA}))
	add("signature/key-window", "the key's window ended before issued_at", []string{"Signature"},
		text(sign(licDoc(), "license")), licRun{machine: licMachineA,
			keys: keyring(ringKey{kid: "license-2024", name: "license", notAfter: "2025-06-30T00:00:00Z"})},
		licRejected("key_not_valid"))
	unknown := licWith(licDoc(), "entitlements", []any{"reports"}, "customer.country", "KE")
	eval("unknown/members", "unknown members at the top and nested are signed and ignored",
		[]string{"Unknown"}, unknown, A, licOutcome{decision: "run", locked: licMachineA})

	// Shape.
	bad("shape/schema-2", "schema_version 2", []string{"Shape"}, licWith(licDoc(), "schema_version", 2), "unsupported_schema")
	bad("shape/schema-string", `schema_version "1" is not an integer`, []string{"Shape"}, licWith(licDoc(), "schema_version", "1"), "invalid_field")
	bad("shape/alg", "signature_alg rsa-pss", []string{"Shape"}, licWith(licDoc(), "signature_alg", "rsa-pss"), "unsupported_alg")
	bad("shape/alg-missing", "no signature_alg", []string{"Shape"}, licWith(licDoc(), "signature_alg", nil), "missing_field")
	bad("shape/license-id-empty", "empty license_id", []string{"Shape"}, licWith(licDoc(), "license_id", ""), "invalid_field")
	bad("shape/customer-missing", "no customer block", []string{"Shape"}, licWith(licDoc(), "customer", nil), "missing_field")
	bad("shape/plan", `plan "lifetime" is not in the enum`, []string{"Shape"}, licWith(licDoc(), "plan", "lifetime"), "invalid_field")
	bad("shape/status-case", `status "active": the enum is upper-case`, []string{"Shape"}, licWith(licDoc(), "status", "active"), "invalid_field")
	bad("shape/expires-missing", "no expires_at", []string{"Shape"}, licWith(licDoc(), "expires_at", nil), "missing_field")
	// A UTC time is written with Z or +00:00, RFC 3339's two spellings of
	// UTC (§4.3); no other offset, and not -00:00, which §4.3 gives to a
	// time whose reference point is not UTC.
	pyTimes := licWith(licDoc(), "issued_at", "2025-12-23T00:00:00.123456+00:00",
		"expires_at", "2124-12-23T00:00:00+00:00", "updates_until", "2031-12-23T00:00:00+00:00")
	eval("utc/python-isoformat", "issued_at, expires_at and updates_until as CPython's isoformat() writes them: +00:00 is Z, and the claims are written with Z",
		[]string{"Shape", "PythonUTC"}, pyTimes, A, licOutcome{decision: "run", locked: licMachineA})
	pyNow := "2026-03-01T12:00:00.123456+00:00"
	eval("utc/python-options", "now, server_time and release_date as CPython's isoformat() writes them",
		[]string{"Update", "PythonUTC"}, licDoc(), licRun{machine: licMachineA, now: pyNow, server: pyNow, release: "2031-12-23T00:00:00+00:00"},
		licOutcome{decision: "run", locked: licMachineA, lastCheck: "2026-03-01T12:00:00.123456Z", updateAllowed: true})
	bad("shape/expires-offset-one-hour", "expires_at with +01:00: a UTC time takes Z or +00:00 only", []string{"Shape"},
		licWith(licDoc(), "expires_at", "2124-12-23T01:00:00+01:00"), "invalid_field")
	bad("shape/expires-unknown-offset", "expires_at with -00:00, RFC 3339's unknown local offset (§4.3): not a UTC time", []string{"Shape"},
		licWith(licDoc(), "expires_at", "2124-12-23T00:00:00-00:00"), "invalid_field")
	bad("shape/issued-offset-no-colon", "issued_at with +0000: not RFC 3339", []string{"Shape"},
		licWith(licDoc(), "issued_at", "2025-12-23T00:00:00+0000"), "invalid_field")
	bad("shape/expires-date", "expires_at as a bare date", []string{"Shape"}, licWith(licDoc(), "expires_at", "2124-12-23"), "invalid_field")
	bad("shape/issued-feb-30", "issued_at on February 30", []string{"Shape"}, licWith(licDoc(), "issued_at", "2025-02-30T00:00:00Z"), "invalid_field")
	bad("shape/expires-before-issued", "expires_at before issued_at", []string{"Shape"},
		licWith(licDoc(), "expires_at", "2025-12-22T00:00:00Z"), "invalid_field")
	bad("shape/updates-until-perpetual", "perpetual without updates_until", []string{"Shape"},
		licWith(licDoc(), "updates_until", nil), "missing_field")
	bad("shape/trial-days-perpetual", "trial_days 30 on a perpetual plan", []string{"Shape"},
		licWith(licDoc(), "trial.trial_days", 30), "invalid_field")
	bad("shape/trial-days-null", "a trial plan with trial_days null", []string{"Shape", "Trial"},
		licWith(licTrialDoc(), "trial.trial_days", licNull), "invalid_field")
	bad("shape/trial-days-zero", "a trial plan with trial_days 0", []string{"Shape", "Trial"},
		licWith(licTrialDoc(), "trial.trial_days", 0), "invalid_field")
	bad("shape/trial-missing", "a trial plan without a trial block", []string{"Shape", "Trial"},
		licWith(licTrialDoc(), "trial", nil), "missing_field")
	bad("shape/mode", `fingerprint mode "user"`, []string{"Shape"}, licWith(licDoc(), "fingerprint.mode", "user"), "invalid_field")
	bad("shape/bound-string", `bound "true" is not a boolean`, []string{"Shape"}, licWith(licDoc(), "fingerprint.bound", "true"), "invalid_field")
	bad("shape/hash-upper", "fingerprint_hash in upper-case hex", []string{"Shape"},
		licWith(licDoc(), "fingerprint.fingerprint_hash", licMachineA[:7]+strings.ToUpper(licMachineA[7:])), "invalid_field")
	bad("shape/fingerprint-missing", "no fingerprint block", []string{"Shape"}, licWith(licDoc(), "fingerprint", nil), "missing_field")
	bad("shape/policy-warn-after-max", "warn_after_days after max_offline_days, both written", []string{"Shape", "Policy"},
		licWith(licDoc(), "policy.warn_after_days", 400, "policy.max_offline_days", 365), "invalid_field")
	bad("shape/policy-zero", "check_interval_days 0", []string{"Shape", "Policy"}, licWith(licDoc(), "policy.check_interval_days", 0), "invalid_field")
	bad("shape/policy-null", "max_offline_days null is not absent", []string{"Shape", "Policy"},
		licWith(licDoc(), "policy.max_offline_days", licNull), "invalid_field")
	bad("shape/meta-notes", "meta.notes must be a string or null", []string{"Shape"}, licWith(licDoc(), "meta.notes", 7), "invalid_field")
	noPolicy := licWith(licDoc(), "policy", nil, "meta", nil, "trial", nil)
	eval("policy/defaults", "no policy, meta or trial block on a perpetual plan: defaults 30/180/365/2",
		[]string{"Policy"}, noPolicy, A, licOutcome{decision: "run", locked: licMachineA})
	partial := licWith(licDoc(), "policy", map[string]any{"max_offline_days": 90, "warn_after_days": 60})
	eval("policy/partial", "a policy with two members; the others default", []string{"Policy"}, partial, A,
		licOutcome{decision: "run", locked: licMachineA})
	onlyMax := licWith(licDoc(), "policy", map[string]any{"max_offline_days": 30})
	eval("policy/max-offline-only", "only max_offline_days 30: warn_after_days defaults to 30, not 180 (a default never invalidates a policy)",
		[]string{"Policy"}, onlyMax, A, licOutcome{decision: "run", locked: licMachineA})
	onlyWarn := licWith(licDoc(), "policy", map[string]any{"warn_after_days": 400})
	eval("policy/warn-only", "only warn_after_days 400: max_offline_days defaults to 400, not 365",
		[]string{"Policy"}, onlyWarn, A, licOutcome{decision: "run", locked: licMachineA})

	// Blocking rules, one at a time, on a first activation.
	eval("block/product", "a license for calcpro run by otherapp: block, and no state to write",
		[]string{"Block"}, licDoc(), licRun{machine: licMachineA, product: "otherapp"},
		licOutcome{decision: "block", code: "product_mismatch", reasons: []string{"product_mismatch"}, noState: true})
	for _, s := range []struct{ status, code string }{
		{"SUSPENDED", "suspended"}, {"REVOKED", "revoked"}, {"EXPIRED", "expired"}, {"TRIAL_EXPIRED", "trial_expired"},
	} {
		eval("block/status-"+strings.ToLower(s.status), "status "+s.status+" blocks", []string{"Block"},
			licWith(licDoc(), "status", s.status), A,
			licOutcome{decision: "block", code: s.code, reasons: []string{s.code}, locked: licMachineA})
	}
	eval("block/revoked-and-foreign", "revoked and for another product: all reasons, the product first",
		[]string{"Block"}, licWith(licDoc(), "status", "REVOKED"), licRun{machine: licMachineB, product: "otherapp"},
		licOutcome{decision: "block", code: "product_mismatch", reasons: []string{"product_mismatch", "revoked", "device_mismatch"}, noState: true})
	eval("warn/active-warn", "status ACTIVE_WARN runs with a warning", []string{"Block"},
		licWith(licDoc(), "status", "ACTIVE_WARN"), A, licOutcome{decision: "warn", reasons: []string{"active_warn"}, locked: licMachineA})
	expiring := licWith(licDoc(), "expires_at", "2026-02-01T00:00:00Z", "updates_until", "2026-02-01T00:00:00Z")
	eval("block/expired", "trusted time after expires_at", []string{"Block"}, expiring, A,
		licOutcome{decision: "block", code: "expired", reasons: []string{"expired"}, locked: licMachineA})
	eval("boundary/expires-at", "trusted time exactly expires_at still runs (the rule is >)", []string{"Block", "Boundary"},
		expiring, licRun{machine: licMachineA, now: "2026-02-01T00:00:00Z"}, licOutcome{decision: "run", locked: licMachineA})
	eval("boundary/expires-at-plus-1ns", "one nanosecond after expires_at blocks", []string{"Block", "Boundary"},
		expiring, licRun{machine: licMachineA, now: "2026-02-01T00:00:00.000000001Z"},
		licOutcome{decision: "block", code: "expired", reasons: []string{"expired"}, locked: licMachineA})

	// Binding.
	eval("binding/required", "a pre-bound license and no machine hash", []string{"Binding", "Block"}, licDoc(), licRun{},
		licOutcome{decision: "block", code: "device_required", reasons: []string{"device_required"}, locked: licMachineA})
	eval("binding/mismatch", "a license pre-bound to machine A, run on machine B", []string{"Binding", "Block"}, licDoc(),
		licRun{machine: licMachineB},
		licOutcome{decision: "block", code: "device_mismatch", reasons: []string{"device_mismatch"}, locked: licMachineA})
	unbound := licWith(licDoc(), "fingerprint.bound", false, "fingerprint.fingerprint_hash", licNull)
	eval("binding/unbound", "an unbound license needs no machine hash and locks nothing", []string{"Binding"}, unbound, licRun{},
		licOutcome{decision: "run"})
	eval("binding/unbound-hash-ignored", "bound false with a hash: the hash is not enforced", []string{"Binding"},
		licWith(licDoc(), "fingerprint.bound", false), licRun{machine: licMachineB}, licOutcome{decision: "run"})
	lazy := licWith(licDoc(), "fingerprint.fingerprint_hash", nil)
	eval("binding/first-activation-binds", "bound with no hash: the first activation locks machine A", []string{"Binding", "State"},
		lazy, A, licOutcome{decision: "run", locked: licMachineA})
	boundState := licStateDoc(lazy, "2026-02-20T12:00:00Z", "", licMachineA, "2026-02-20T12:00:00Z", 0)
	eval("binding/locked-elsewhere", "bound at activation to machine A, then run on machine B", []string{"Binding", "State", "Block"},
		lazy, licRun{machine: licMachineB, state: boundState},
		licOutcome{decision: "block", code: "device_mismatch", reasons: []string{"device_mismatch"},
			first: "2026-02-20T12:00:00Z", locked: licMachineA})
	eval("binding/locked-here", "bound at activation to machine A, run again on machine A", []string{"Binding", "State"},
		lazy, licRun{machine: licMachineA, state: boundState},
		licOutcome{decision: "run", first: "2026-02-20T12:00:00Z", locked: licMachineA})
	// A Python issuer writes "" for a hash not set yet: no hash, as null.
	emptyHash := licWith(licDoc(), "fingerprint.fingerprint_hash", "")
	eval("binding/empty-hash-binds-at-activation", `bound with fingerprint_hash "": no hash yet, as null; the first activation locks machine A`,
		[]string{"Binding", "State"}, emptyHash, A, licOutcome{decision: "run", locked: licMachineA})
	eval("binding/empty-hash-required", `bound with fingerprint_hash "" and no machine hash given`, []string{"Binding", "Block"},
		emptyHash, licRun{}, licOutcome{decision: "block", code: "device_required", reasons: []string{"device_required"}})
	eval("binding/empty-hash-unbound", `bound false with fingerprint_hash "": unbound, locks nothing`, []string{"Binding"},
		licWith(emptyHash, "fingerprint.bound", false), licRun{machine: licMachineB}, licOutcome{decision: "run"})
	emptyLock := licStateDoc(lazy, "2026-02-20T12:00:00Z", "", "", "2026-02-20T12:00:00Z", 0)
	emptyLock["locked_to_fingerprint_hash"] = ""
	eval("binding/state-lock-empty", `a state whose locked_to_fingerprint_hash is "": no lock, as null; this run locks machine A`,
		[]string{"Binding", "State"}, lazy, licRun{machine: licMachineA, state: emptyLock},
		licOutcome{decision: "run", first: "2026-02-20T12:00:00Z", locked: licMachineA})
	eval("binding/first-activation-no-hash", "bound, no hash anywhere, none given: nothing to lock yet", []string{"Binding", "Block"},
		lazy, licRun{}, licOutcome{decision: "block", code: "device_required", reasons: []string{"device_required"}})

	// Trials.
	trial := licTrialDoc()
	eval("trial/first-activation", "a 14-day trial starts now: ends at now + 14 days", []string{"Trial"}, trial, licRun{},
		licOutcome{decision: "run"})
	trialState := licStateDoc(trial, "2026-02-10T12:00:00Z", "", "", "2026-02-28T12:00:00Z", 0)
	eval("trial/ended", "activated 19 days ago: the 14-day trial ended", []string{"Trial", "Block", "State"}, trial,
		licRun{state: trialState}, licOutcome{decision: "block", code: "trial_expired", reasons: []string{"trial_expired"},
			first: "2026-02-10T12:00:00Z"})
	trialState = licStateDoc(trial, "2026-02-20T12:00:00Z", "", "", "2026-02-28T12:00:00Z", 0)
	eval("trial/running", "activated 9 days ago: 5 days left", []string{"Trial", "State"}, trial,
		licRun{state: trialState}, licOutcome{decision: "run", first: "2026-02-20T12:00:00Z"})
	short := licWith(trial, "expires_at", "2026-03-05T00:00:00Z", "updates_until", nil)
	eval("trial/capped-by-expires", "expires_at before first activation + trial_days ends the trial", []string{"Trial"},
		short, licRun{}, licOutcome{decision: "run"})
	eval("trial/past-expires", "a trial past expires_at: trial_expired first, expired too", []string{"Trial", "Block"},
		short, licRun{now: "2026-03-06T00:00:00Z"},
		licOutcome{decision: "block", code: "trial_expired", reasons: []string{"trial_expired", "expired"}})

	// Updates.
	eval("update/allowed", "release before updates_until", []string{"Update"}, licDoc(),
		licRun{machine: licMachineA, release: "2031-12-23T00:00:00Z"}, licOutcome{decision: "run", locked: licMachineA, updateAllowed: true})
	eval("update/not-allowed", "release after updates_until: running is unaffected", []string{"Update"}, licDoc(),
		licRun{machine: licMachineA, release: "2031-12-23T00:00:01Z"},
		licOutcome{decision: "run", reasons: []string{"update_not_allowed"}, locked: licMachineA, updateAllowed: false})
	eval("update/trial-uses-expires", "a trial without updates_until: updates until expires_at", []string{"Update", "Trial"},
		short, licRun{release: "2026-03-05T00:00:01Z"},
		licOutcome{decision: "run", reasons: []string{"update_not_allowed"}, updateAllowed: false})

	tests = append(tests, licTimeline()...)
	tests = append(tests, licStateTests()...)
	tests = append(tests, licClockTests()...)
	return tests
}

// licStateDoc is a license.state.json for doc.
func licStateDoc(doc map[string]any, first, lastCheck, locked, lastSeen string, rollbacks int) map[string]any {
	return map[string]any{
		"schema_version":             1,
		"license_id":                 doc["license_id"],
		"product_id":                 doc["product_id"],
		"first_activated_at":         first,
		"last_success_check_at":      licOrNull(lastCheck),
		"next_check_due_at":          nil,
		"last_server_status":         nil,
		"last_server_message":        nil,
		"locked_to_fingerprint_hash": licOrNull(locked),
		"clock_guard":                map[string]any{"last_seen_time": lastSeen, "rollback_count": rollbacks},
	}
}

// licTimeline evaluates one license, bound at its first activation, on
// days 0, 29, 31, (a clock set back), 179, 181, 364 and 366 without a
// server check, each step reading the state the previous step wrote; then
// the host records a server check and the license runs again.
func licTimeline() []test {
	const t0 = "2026-01-10T09:00:00Z"
	doc := licWith(licDoc(), "fingerprint.fingerprint_hash", nil, "license_id", "LIC-TIMELINE1")
	license := text(sign(doc, "license"))
	flags := []string{"Timeline", "State", "Binding"}
	var tests []test
	var state any // the previous step's expected state
	seen := t0    // the last trusted time
	rollbacks := 0
	run := func(reasons ...string) licOutcome { return licOutcome{decision: "run", reasons: reasons} }
	step := func(id, comment, now string, o licOutcome) {
		r := licRun{now: now, machine: licMachineA, state: state}
		o.first, o.locked = t0, licMachineA
		if licTime(now).After(licTime(seen)) {
			seen = now
		}
		o.trusted = seen
		o.rollbacks = rollbacks
		exp := licExpect(doc, r, o)
		f := flags
		if slices.Contains(o.reasons, "clock_rollback") {
			f = append(slices.Clone(flags), "Clock")
		}
		tests = append(tests, test{ID: "license/timeline/" + id, Comment: comment, Flags: f,
			Request: r.request(license), Expected: exp})
		state = exp["state"]
	}
	step("day-000", "first activation: binds machine A, starts the offline clock", t0, run())
	step("day-029", "29 days offline: within the 30-day check interval", licAdd(t0, 29), run())
	step("day-031", "31 days offline: a server check is due (a notice, not a warning)", licAdd(t0, 31), run("check_due"))
	rollbacks++
	step("rollback", "the clock reads day 12: trusted time stays at day 31, the rollback is counted",
		licAdd(t0, 12), licOutcome{decision: "warn", reasons: []string{"clock_rollback", "check_due"}})
	step("day-179", "179 days: not yet past warn_after_days", licAdd(t0, 179), run("check_due"))
	step("day-181", "181 days: past warn_after_days (180)", licAdd(t0, 181),
		licOutcome{decision: "warn", reasons: []string{"offline_warn", "check_due"}})
	step("day-364", "364 days: still within max_offline_days (365)", licAdd(t0, 364),
		licOutcome{decision: "warn", reasons: []string{"offline_warn", "check_due"}})
	step("day-366", "366 days: past max_offline_days, blocked", licAdd(t0, 366),
		licOutcome{decision: "block", code: "offline_too_long", reasons: []string{"offline_too_long", "check_due"}})

	// The host validates online on day 366 and records it in the state.
	checked := licAdd(t0, 366)
	st := clone(state.(map[string]any))
	st["last_success_check_at"] = checked
	st["last_server_status"], st["last_server_message"] = "ACTIVE", "OK"
	state = st
	o := run()
	o.lastCheck, o.serverStatus, o.serverMessage = checked, "ACTIVE", "OK"
	step("after-server-check", "the host recorded a server check on day 366; day 367 runs, 1 day offline",
		licAdd(t0, 367), o)
	return tests
}

// licStateTests cover reading the state: the clock guard, and states that
// are invalid, foreign or from the future, which are ignored and reported.
func licStateTests() []test {
	doc := licDoc()
	license := text(sign(doc, "license"))
	var tests []test
	add := func(id, comment string, flags []string, run licRun, o licOutcome) {
		run.machine = licMachineA
		o.locked = licMachineA
		tests = append(tests, test{ID: "license/state/" + id, Comment: comment, Flags: flags,
			Request: run.request(license), Expected: licExpect(doc, run, o)})
	}
	good := licStateDoc(doc, "2026-01-01T00:00:00Z", "2026-02-15T08:00:00Z", licMachineA, "2026-02-28T00:00:00Z", 2)
	carried := licOutcome{decision: "run", first: "2026-01-01T00:00:00Z", lastCheck: "2026-02-15T08:00:00Z", rollbacks: 2}
	add("carried", "a valid state: activation, last check and rollback count carried forward", []string{"State"},
		licRun{state: good}, carried)
	withServer := clone(good)
	withServer["last_server_status"], withServer["last_server_message"] = "ACTIVE", "OK"
	withServer["next_check_due_at"] = "2099-01-01T00:00:00Z"
	withServer["host_extra"] = true
	o := carried
	o.serverStatus, o.serverMessage = "ACTIVE", "OK"
	add("recomputed", "server status and message carried; next_check_due_at recomputed; unknown members dropped",
		[]string{"State"}, licRun{state: withServer}, o)
	o = carried
	o.trusted = "2026-02-28T00:00:00Z"
	o.decision, o.reasons, o.rollbacks = "warn", []string{"clock_rollback"}, 3
	add("rollback", "now is before last_seen_time: trusted time stays, rollback_count rises", []string{"State", "Clock"},
		licRun{state: good, now: "2026-02-01T00:00:00Z"}, o)
	o = carried
	o.trusted = "2026-02-28T00:00:00Z"
	add("rollback-within-skew", "a step back of 4 minutes (clock correction) moves nothing and is not counted",
		[]string{"State", "Clock"}, licRun{state: good, now: "2026-02-27T23:56:00Z"}, o)

	fresh := func(reason string) licOutcome {
		return licOutcome{decision: "warn", reasons: []string{reason}}
	}
	other := clone(good)
	other["license_id"] = "LIC-OTHER0001"
	add("other-license", "a state of another license is ignored: a fresh activation", []string{"State"},
		licRun{state: other}, fresh("state_mismatch"))
	other = clone(good)
	other["product_id"] = "otherapp"
	add("other-product", "a state of another product is ignored", []string{"State"}, licRun{state: other}, fresh("state_mismatch"))
	future := clone(good)
	future["last_success_check_at"] = "2027-01-01T00:00:00Z"
	add("future-check", "a server check after trusted time (an edited file) is ignored", []string{"State", "Clock"},
		licRun{state: future}, fresh("state_future"))
	future = clone(good)
	future["first_activated_at"] = "2026-03-01T12:06:00Z"
	add("future-activation", "an activation 6 minutes after trusted time, beyond the 5-minute skew", []string{"State", "Clock"},
		licRun{state: future}, fresh("state_future"))
	ahead := clone(good)
	ahead["last_success_check_at"] = "2026-03-05T00:00:00Z"
	ahead["clock_guard"] = map[string]any{"last_seen_time": "2026-03-05T00:00:00Z", "rollback_count": 0}
	o = licOutcome{decision: "warn", reasons: []string{"clock_rollback"}, first: "2026-01-01T00:00:00Z",
		lastCheck: "2026-03-05T00:00:00Z", trusted: "2026-03-05T00:00:00Z", rollbacks: 1}
	add("check-before-last-seen", "a check after now but not after last_seen_time is the clock going back, not an edit",
		[]string{"State", "Clock"}, licRun{state: ahead}, o)
	add("not-json", "a state file that is not JSON", []string{"State"}, licRun{state: "{not json"}, fresh("state_invalid"))
	add("not-utf8", "a state file with a byte that is not UTF-8 is reported as invalid, never repaired", []string{"State"},
		licRun{state: []byte(strings.Replace(text(good), `"schema_version":1`, "\"schema_version\":1,\"x\":\"\xff\"", 1))}, fresh("state_invalid"))
	add("bom", "a state file starting with a byte order mark is invalid", []string{"State"},
		licRun{state: "\ufeff" + text(good)}, fresh("state_invalid"))
	add("empty", "an empty state file (a torn write) is reported, not taken for no state", []string{"State"},
		licRun{state: ""}, fresh("state_invalid"))
	add("duplicate", "a state with a duplicate member", []string{"State"},
		licRun{state: strings.Replace(text(good), `"schema_version":1`, `"schema_version":1,"schema_version":1`, 1)}, fresh("state_invalid"))
	v2 := clone(good)
	v2["schema_version"] = 2
	add("schema-2", "a state of schema_version 2", []string{"State"}, licRun{state: v2}, fresh("state_invalid"))
	noGuard := clone(good)
	delete(noGuard, "clock_guard")
	add("no-clock-guard", "a state without its clock_guard", []string{"State"}, licRun{state: noGuard}, fresh("state_invalid"))
	negative := clone(good)
	negative["clock_guard"] = map[string]any{"last_seen_time": "2026-02-28T00:00:00Z", "rollback_count": -1}
	add("negative-rollbacks", "rollback_count -1", []string{"State"}, licRun{state: negative}, fresh("state_invalid"))
	py := licStateDoc(doc, "2026-01-01T00:00:00+00:00", "2026-02-15T08:00:00.123456+00:00", licMachineA, "2026-02-28T00:00:00+00:00", 2)
	py["next_check_due_at"] = "2026-03-17T08:00:00.123456+00:00"
	add("python-isoformat", "a state whose times CPython's isoformat() wrote (+00:00, microseconds): read as Z, written back with Z",
		[]string{"State", "PythonUTC"}, licRun{state: py},
		licOutcome{decision: "run", first: "2026-01-01T00:00:00Z", lastCheck: "2026-02-15T08:00:00.123456Z", rollbacks: 2})
	offset := clone(good)
	offset["first_activated_at"] = "2026-01-01T01:00:00+01:00"
	add("offset-one-hour", "a state time with the offset +01:00: state times are UTC", []string{"State"}, licRun{state: offset}, fresh("state_invalid"))
	offset = clone(good)
	offset["clock_guard"] = map[string]any{"last_seen_time": "2026-02-28T00:00:00-00:00", "rollback_count": 2}
	add("unknown-offset", "a last_seen_time with -00:00, RFC 3339's unknown local offset: not a UTC time", []string{"State", "Clock"},
		licRun{state: offset}, fresh("state_invalid"))
	return tests
}

// licClockTests pin the clock guard at its edges: issued_at as a lower
// bound for trusted time, and a successful online check (server_time) as
// the way back from a clock that ran ahead, without deleting any file.
func licClockTests() []test {
	var tests []test
	add := func(id, comment string, doc map[string]any, run licRun, o licOutcome) {
		run.machine = licMachineA
		if doc["fingerprint"].(map[string]any)["bound"] == true {
			o.locked = licMachineA
		}
		tests = append(tests, test{ID: "license/clock/" + id, Comment: comment, Flags: []string{"Clock"},
			Request: run.request(text(sign(doc, "license"))), Expected: licExpect(doc, run, o)})
	}
	doc := licDoc() // issued 2025-12-23, expires 2124
	issued := "2025-12-23T00:00:00Z"
	add("behind-issued-at", "first activation with the clock in 2000: trusted time and the activation are issued_at, not 2000",
		doc, licRun{now: "2000-01-01T00:00:00Z"}, licOutcome{decision: "run", trusted: issued})
	from2000 := licStateDoc(doc, "2000-01-01T00:00:00Z", "", licMachineA, "2000-01-01T00:00:00Z", 0)
	add("state-from-2000", "a state written while the clock read 2000: first_activated_at is read as issued_at, so 68 days offline, not 9556",
		doc, licRun{state: from2000}, licOutcome{decision: "run", reasons: []string{"check_due"}, first: issued})
	trial := licTrialDoc() // issued 2025-12-23, 14 days
	trialFrom2000 := licStateDoc(trial, "2000-01-01T00:00:00Z", "", licMachineA, "2000-01-01T00:00:00Z", 0)
	add("trial-state-from-2000", "a trial activated while the clock read 2000 runs until issued_at + 14 days, not 2000-01-15",
		trial, licRun{state: trialFrom2000, now: "2025-12-25T00:00:00Z"}, licOutcome{decision: "run", first: issued})
	renewed := licWith(doc, "issued_at", "2026-02-01T00:00:00Z")
	old := licStateDoc(doc, "2025-12-24T00:00:00Z", "2026-01-10T00:00:00Z", licMachineA, "2026-02-28T00:00:00Z", 1)
	add("renewal-keeps-state", "a renewed license.key issued after the activation and the last check: the lock, the guard and the rollback count are kept, the activation and the last check are read as the new issued_at",
		renewed, licRun{state: old}, licOutcome{decision: "run", first: "2026-02-01T00:00:00Z", lastCheck: "2026-02-01T00:00:00Z", rollbacks: 1})

	// Every state time is read as no earlier than issued_at, so that a
	// state no genuine run of this license could write never blocks it.
	stale := licStateDoc(renewed, "2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z", licMachineA, "2024-06-01T00:00:00Z", 0)
	add("check-before-issued-at", "the last check lies 20 months before issued_at: days offline count from issued_at (28), not from the check (638, past max_offline_days); the state written holds issued_at",
		renewed, licRun{state: stale}, licOutcome{decision: "run", first: "2026-02-01T00:00:00Z", lastCheck: "2026-02-01T00:00:00Z"})
	add("check-before-issued-at-clock-behind", "the same state with the clock between the last check and issued_at: trusted time is issued_at, and the last_seen_time read as issued_at counts the clock as set back, as the state this run writes will",
		renewed, licRun{state: stale, now: "2025-06-01T00:00:00Z"}, licOutcome{decision: "warn", reasons: []string{"clock_rollback"},
			trusted: "2026-02-01T00:00:00Z", first: "2026-02-01T00:00:00Z", lastCheck: "2026-02-01T00:00:00Z", rollbacks: 1})
	add("server-time-before-issued-at", "a server_time 20 months before issued_at: the check is recorded at issued_at, so no days offline before the license existed",
		renewed, licRun{server: "2024-06-01T00:00:00Z"}, licOutcome{decision: "run", trusted: "2026-02-01T00:00:00Z", lastCheck: "2026-02-01T00:00:00Z"})
	trialStale := licStateDoc(trial, "2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z", licMachineA, "2024-06-01T00:00:00Z", 0)
	add("trial-check-before-issued-at", "a trial whose state was activated and checked before issued_at: 14 days from issued_at, and no days offline before it",
		trial, licRun{state: trialStale, now: "2026-01-05T00:00:00Z"}, licOutcome{decision: "run", first: issued, lastCheck: issued})

	short := licWith(doc, "expires_at", "2027-01-01T00:00:00Z")
	ahead := licStateDoc(short, "2026-01-01T00:00:00Z", "2026-02-15T00:00:00Z", licMachineA, "2099-01-01T00:00:00Z", 0)
	add("ran-ahead", "one run in 2099 left last_seen_time there: the license is within its term by the clock, so the block is clock_rollback, not expired",
		short, licRun{state: ahead}, licOutcome{decision: "block", code: "clock_rollback", trusted: "2099-01-01T00:00:00Z",
			first: "2026-01-01T00:00:00Z", lastCheck: "2026-02-15T00:00:00Z", rollbacks: 1,
			reasons: []string{"clock_rollback", "offline_too_long", "check_due"}})
	add("server-time-resets", "a successful online check at now: trusted time and last_seen_time are the server's, the check is recorded, the license runs",
		short, licRun{state: ahead, server: licNow}, licOutcome{decision: "run", first: "2026-01-01T00:00:00Z", lastCheck: licNow})
	add("server-time-ahead-of-clock", "the server's time is after the host's clock: it is trusted time",
		short, licRun{state: ahead, server: "2026-03-05T00:00:00Z"}, licOutcome{decision: "run", trusted: "2026-03-05T00:00:00Z",
			first: "2026-01-01T00:00:00Z", lastCheck: "2026-03-05T00:00:00Z"})
	add("server-time-after-expiry", "a server time after expires_at: expired, the server's word",
		short, licRun{state: ahead, server: "2027-02-01T00:00:00Z"}, licOutcome{decision: "block", code: "expired", trusted: "2027-02-01T00:00:00Z",
			first: "2026-01-01T00:00:00Z", lastCheck: "2027-02-01T00:00:00Z", reasons: []string{"expired"}})
	add("expired-by-clock", "the clock itself is past expires_at: expired, as ever",
		short, licRun{state: ahead, now: "2099-06-01T00:00:00Z"}, licOutcome{decision: "block", code: "expired", trusted: "2099-06-01T00:00:00Z",
			first: "2026-01-01T00:00:00Z", lastCheck: "2026-02-15T00:00:00Z", reasons: []string{"expired", "offline_too_long", "check_due"}})
	trialAhead := licStateDoc(trial, "2025-12-24T00:00:00Z", "", licMachineA, "2026-06-01T00:00:00Z", 0)
	add("trial-ran-ahead", "a trial within its 14 days by the clock, past them by the guard: clock_rollback",
		trial, licRun{state: trialAhead, now: "2025-12-30T00:00:00Z"}, licOutcome{decision: "block", code: "clock_rollback",
			trusted: "2026-06-01T00:00:00Z", first: "2025-12-24T00:00:00Z", rollbacks: 1, reasons: []string{"clock_rollback", "check_due"}})
	return tests
}
