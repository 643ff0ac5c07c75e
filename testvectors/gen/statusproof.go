package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log"
	"sort"
	"strings"
	"time"
)

// The statusproof topic exercises formats.md §1 through the "status_proof"
// request: every step of the offline validation, in order, the three input
// forms, tampering with every member, and the signature envelope.
func init() {
	register(topic{
		name: "statusproof",
		notes: map[string]string{
			"Valid":              "a correctly signed proof that passes every step",
			"Form":               "the proof given as the API wrapper, as the compact string, or as equivalent JSON text",
			"Step1":              "§1 step 1: checked_at, valid_until and the lifetime",
			"Step2":              "§1 step 2: the expected license id",
			"Step3":              "§1 step 3: device binding (binding_hash vs the fingerprint, §5)",
			"Step4":              "§1 step 4: revocation epoch against the stored epoch",
			"Step5":              "§1 step 5: the status value",
			"Order":              "fails several checks; the first in the documented order is reported",
			"Boundary":           "a time exactly at the edge of a check",
			"Tamper":             "a member changed after signing: always bad_signature (or unknown_key for an absent kid)",
			"UnknownField":       "members unknown to v1, signed by the issuer: ignored for meaning, covered by the signature",
			"WrongKind":          "a document of another kind given as a status proof",
			"SignatureEncoding":  "signature in another base64 spelling of the same bytes",
			"MalformedSignature": "signature member that is not base64 of 64 bytes",
			"SignatureMissing":   "no signature member",
			"Shape":              "a member missing or of the wrong type or format, signed by the issuer",
			"Json":               "strict JSON parse step (formats.md §0)",
			"Keyring":            "the key: weak keys in the ring, key windows, unknown kids",
			"Options":            "host options: skew, maximum TTL, size limit",
			"PythonUTC":          "a UTC time as CPython's datetime.isoformat() writes an aware one: +00:00, with .ffffff when there are microseconds",
		},
		tests: statusProofTests,
	})
}

const (
	spLicense   = "b28a923a-c747-49b2-bc90-d87004c10379"
	spCheckedAt = "2025-12-30T15:30:00Z"
	spValidTo   = "2026-01-01T15:30:00Z" // 48 h after spCheckedAt
	spNow       = "2025-12-31T00:00:00Z"
	spKID       = "ql-api-v2"
	spOldKID    = "ql-api-v1"
)

// spKeyName maps a kid to the seed name of its private key.
var spKeyName = map[string]string{spKID: "status-issuer", spOldKID: "status-issuer-old"}

func spRing() string {
	return keyring(ringKey{kid: spKID, name: "status-issuer"}, ringKey{kid: spOldKID, name: "status-issuer-old"})
}

// spDevice is a device's fingerprint components (ASCII, so that canon
// applies).
func spDevice() map[string]any {
	return map[string]any{"cpu_id": "Intel-Core-i9-12900K", "disk_serial": "WD-ABC123456", "hostname": "build-01"}
}

func spOtherDevice() map[string]any {
	return map[string]any{"cpu_id": "Intel-Core-i9-12900K", "disk_serial": "WD-XYZ999999", "hostname": "build-01"}
}

// spBinding is "sha256:" + hex(SHA-256(JCS(components))), formats.md §5.
func spBinding(components map[string]any) string {
	sum := sha256.Sum256(canon(components))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func spProof() map[string]any {
	return map[string]any{
		"license_id":       spLicense,
		"status":           "valid",
		"checked_at":       spCheckedAt,
		"valid_until":      spValidTo,
		"revocation_epoch": 42,
		"entitlements":     []any{"feature:api", "feature:export", "seats:max"},
		"issuer_kid":       spKID,
	}
}

// spWith returns a copy of the base proof with members set (nil deletes).
func spWith(set map[string]any) map[string]any {
	p := spProof()
	for k, v := range set {
		if v == nil {
			delete(p, k)
			continue
		}
		p[k] = v
	}
	return p
}

// spSigned signs a proof with the key its issuer_kid names.
func spSigned(p map[string]any) map[string]any {
	kid, _ := p["issuer_kid"].(string)
	name, ok := spKeyName[kid]
	if !ok {
		name = "status-issuer"
	}
	return sign(p, name)
}

// spTime formats an RFC 3339 input the way results carry it: UTC.
func spTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		log.Fatal(err)
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func spAdd(s string, d time.Duration) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		log.Fatal(err)
	}
	return t.Add(d).UTC().Format(time.RFC3339Nano)
}

// spClaims is the expected result for a proof whose signature verified:
// the claims of §1, computed from the members the vector put in. store is
// whether the rollback check was reached and passed (the epoch to store is
// then the proof's own, since it is not below the stored one).
func spClaims(p map[string]any, code string, store bool) map[string]any {
	ca, _ := time.Parse(time.RFC3339Nano, p["checked_at"].(string))
	vu, _ := time.Parse(time.RFC3339Nano, p["valid_until"].(string))
	ents := p["entitlements"]
	if ents == nil {
		ents = []any{}
	}
	bh, bound := p["binding_hash"]
	e := map[string]any{
		"valid":        code == "ok",
		"code":         code,
		"license_id":   p["license_id"],
		"status":       p["status"],
		"checked_at":   ca.UTC().Format(time.RFC3339Nano),
		"valid_until":  vu.UTC().Format(time.RFC3339Nano),
		"epoch":        p["revocation_epoch"],
		"entitlements": ents,
		"kid":          p["issuer_kid"],
		"signed_form":  "rfc8785",                      // sign writes RFC 8785
		"bound":        bound && bh != nil && bh != "", // a signed "" binds nothing
	}
	if vu.After(ca) {
		// The refresh point: 75% of the lifetime after checked_at.
		e["refresh_after"] = ca.Add(vu.Sub(ca) * 3 / 4).UTC().Format(time.RFC3339Nano)
	}
	if p["status"] == "grace_period" {
		e["grace"] = true
	}
	if store {
		e["store_epoch"] = p["revocation_epoch"]
	}
	return e
}

func spReject(code string) map[string]any { return map[string]any{"valid": false, "code": code} }

// spRequest is a status_proof request for proof text with extra members.
func spRequest(proof string, extra map[string]any) map[string]any {
	r := map[string]any{"op": "status_proof", "keys": spRing(), "now": spNow, "proof": proof}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func spTest(id, flags, comment, proof string, extra map[string]any, expected map[string]any) test {
	return test{ID: "statusproof/" + id, Comment: comment, Flags: strings.Fields(flags),
		Request: spRequest(proof, extra), Expected: expected}
}

// spSig returns the raw signature bytes of a signed document.
func spSig(p map[string]any) []byte {
	b, err := base64.StdEncoding.DecodeString(p["signature"].(string))
	if err != nil {
		log.Fatal(err)
	}
	return b
}

// spReformat writes a document's members in reverse order with spaces:
// other JSON text, the same canonical form.
func spReformat(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(keys)))
	var b strings.Builder
	b.WriteString("{\n  ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(",\n  ")
		}
		b.WriteString(text(k) + ": " + text(p[k]))
	}
	b.WriteString("\n}")
	return b.String()
}

func statusProofTests() []test {
	base := spSigned(spProof())
	baseText := text(base)
	ok := func(p map[string]any) map[string]any { return spClaims(p, "ok", true) }
	device := text(spDevice())
	bound := spSigned(spWith(map[string]any{"binding_hash": spBinding(spDevice())}))
	revoked := spSigned(spWith(map[string]any{"status": "revoked"}))
	var tests []test
	add := func(t ...test) { tests = append(tests, t...) }

	// Accepted proofs.
	add(
		spTest("valid", "Valid", "the issuer's example proof, unbound, verified at a time inside its lifetime",
			baseText, nil, ok(base)),
		spTest("valid-license-id", "Valid Step2", "the expected license id matches",
			baseText, map[string]any{"license_id": spLicense}, ok(base)),
		spTest("valid-grace", "Valid Step5", "status grace_period is accepted with grace: true",
			text(spSigned(spWith(map[string]any{"status": "grace_period"}))), nil,
			ok(spSigned(spWith(map[string]any{"status": "grace_period"})))),
		spTest("valid-bound", "Valid Step3", "device-bound proof with the matching fingerprint",
			text(bound), map[string]any{"fingerprint": device}, ok(bound)),
		spTest("valid-bound-reordered-fingerprint", "Valid Step3",
			"the fingerprint is hashed in canonical form, so member order and spacing do not matter",
			text(bound), map[string]any{"fingerprint": "{ \"hostname\" : \"build-01\",\n \"disk_serial\": \"WD-ABC123456\", \"cpu_id\": \"Intel-Core-i9-12900K\" }"},
			ok(bound)),
		spTest("valid-unbound-with-fingerprint", "Valid Step3", "a fingerprint given for an unbound proof is not needed and does no harm",
			baseText, map[string]any{"fingerprint": device}, ok(base)),
		spTest("valid-no-entitlements", "Valid", "entitlements absent: the claim is an empty list",
			text(spSigned(spWith(map[string]any{"entitlements": nil}))), nil, ok(spSigned(spWith(map[string]any{"entitlements": nil})))),
		spTest("valid-min-epoch-equal", "Valid Step4 Boundary", "revocation_epoch equal to the stored epoch is not a rollback",
			baseText, map[string]any{"min_epoch": 42}, ok(base)),
		spTest("valid-min-epoch-lower", "Valid Step4", "an older stored epoch: the proof's epoch is the one to store",
			baseText, map[string]any{"min_epoch": 7}, ok(base)),
		spTest("valid-epoch-zero", "Valid", "revocation_epoch 0 is an epoch",
			text(spSigned(spWith(map[string]any{"revocation_epoch": 0}))), nil, ok(spSigned(spWith(map[string]any{"revocation_epoch": 0})))),
		spTest("valid-epoch-2^53", "Valid Boundary", "revocation_epoch 2^53, the largest exact integer",
			text(spSigned(spWith(map[string]any{"revocation_epoch": int64(1) << 53}))), nil,
			ok(spSigned(spWith(map[string]any{"revocation_epoch": int64(1) << 53})))),
	)
	{
		// Times with an offset and fractional seconds are reported in UTC,
		// keeping the fraction.
		p := spSigned(spWith(map[string]any{"checked_at": "2025-12-30T16:30:00.5+01:00", "valid_until": "2026-01-01T15:30:00.5Z"}))
		add(spTest("valid-offset-fraction", "Valid", "checked_at with an offset and a fraction; claims are UTC", text(p), nil, ok(p)))
		py := spSigned(spWith(map[string]any{"checked_at": "2025-12-30T15:30:00.123456+00:00", "valid_until": "2026-01-01T15:30:00+00:00"}))
		add(spTest("valid-python-isoformat", "Valid PythonUTC", "checked_at, valid_until and now as CPython's isoformat() writes them (QuantumLock's StatusProof); claims are written with Z",
			text(py), map[string]any{"now": "2025-12-31T00:00:00.123456+00:00"}, ok(py)))
		// RFC 3339 §4.3: -00:00 names a UTC instant whose local offset is
		// unknown. A member that takes any offset takes this one too.
		unknown := spSigned(spWith(map[string]any{"checked_at": "2025-12-30T15:30:00-00:00"}))
		add(spTest("valid-unknown-offset", "Valid", "checked_at with -00:00: a date-time with any offset names its instant, this one too",
			text(unknown), nil, ok(unknown)))
	}
	{
		p := spProof()
		p["binding_hash"] = nil
		p = spSigned(p)
		add(spTest("valid-binding-null", "Valid Step3", "binding_hash null means unbound", text(p), nil, ok(p)))
		// QuantumLock's StatusProof defaults binding_hash to "", and its
		// issuer signs "" when no device fingerprint was given.
		empty := spSigned(spWith(map[string]any{"binding_hash": ""}))
		add(spTest("valid-binding-empty", "Valid Step3", `binding_hash "" (QuantumLock's unbound proof) means unbound, as null does`,
			text(empty), nil, ok(empty)))
		add(spTest("valid-binding-empty-with-fingerprint", "Valid Step3", `binding_hash "" and a fingerprint given: unbound, accepted on any device`,
			text(empty), map[string]any{"fingerprint": device}, ok(empty)))
		q := spProof()
		q["entitlements"] = nil
		q = spSigned(q)
		add(spTest("valid-entitlements-null", "Valid", "entitlements null means none", text(q), nil, ok(q)))
	}

	// Step 1: times.
	add(
		spTest("step1-not-yet-valid", "Step1", "checked_at is 6 minutes after now, beyond the 5 minute skew",
			baseText, map[string]any{"now": spAdd(spCheckedAt, -6*time.Minute)}, spClaims(base, "not_yet_valid", false)),
		spTest("step1-skew-edge", "Step1 Boundary", "checked_at exactly now + 5 minutes is tolerated",
			baseText, map[string]any{"now": spAdd(spCheckedAt, -5*time.Minute)}, ok(base)),
		spTest("step1-skew-zero", "Step1 Options", "skew_seconds 0: one second in the future is too early",
			baseText, map[string]any{"now": spAdd(spCheckedAt, -time.Second), "skew_seconds": 0}, spClaims(base, "not_yet_valid", false)),
		spTest("step1-skew-hour", "Step1 Options", "skew_seconds 3600 tolerates 30 minutes",
			baseText, map[string]any{"now": spAdd(spCheckedAt, -30*time.Minute), "skew_seconds": 3600}, ok(base)),
		spTest("step1-expired", "Step1 Boundary", "now equal to valid_until: expired",
			baseText, map[string]any{"now": spValidTo}, spClaims(base, "proof_expired", false)),
		spTest("step1-last-second", "Step1 Boundary", "one second before valid_until: still valid",
			baseText, map[string]any{"now": spAdd(spValidTo, -time.Second)}, ok(base)),
		spTest("step1-expired-long-ago", "Step1", "a proof from last year",
			baseText, map[string]any{"now": "2026-12-31T00:00:00Z"}, spClaims(base, "proof_expired", false)),
		spTest("step1-max-ttl-option", "Step1 Options", "max_ttl_seconds 86400 refuses a 48 hour proof",
			baseText, map[string]any{"max_ttl_seconds": 86400}, spClaims(base, "ttl_too_long", false)),
	)
	{
		long := spSigned(spWith(map[string]any{"valid_until": spAdd(spCheckedAt, 168*time.Hour+time.Second)}))
		edge := spSigned(spWith(map[string]any{"valid_until": spAdd(spCheckedAt, 168*time.Hour)}))
		same := spSigned(spWith(map[string]any{"valid_until": spCheckedAt}))
		before := spSigned(spWith(map[string]any{"valid_until": spAdd(spCheckedAt, -time.Minute)}))
		add(
			spTest("step1-ttl-too-long", "Step1 Boundary", "lifetime 168 h + 1 s exceeds the default maximum",
				text(long), nil, spClaims(long, "ttl_too_long", false)),
			spTest("step1-ttl-168h", "Step1 Boundary", "lifetime of exactly 168 h is allowed",
				text(edge), nil, ok(edge)),
			spTest("step1-valid-until-equals-checked-at", "Step1", "valid_until == checked_at, seen within the skew before it: invalid_field",
				text(same), map[string]any{"now": spAdd(spCheckedAt, -time.Minute)}, spClaims(same, "invalid_field", false)),
			spTest("step1-valid-until-before-checked-at", "Step1", "valid_until before checked_at, seen within the skew: invalid_field",
				text(before), map[string]any{"now": spAdd(spCheckedAt, -2*time.Minute)}, spClaims(before, "invalid_field", false)),
		)
	}

	// Step 2: license id.
	add(spTest("step2-license-mismatch", "Step2", "the host's license is another one",
		baseText, map[string]any{"license_id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890"}, spClaims(base, "license_mismatch", false)),
		spTest("step2-license-case", "Step2", "license ids compare byte for byte: upper case is another id",
			baseText, map[string]any{"license_id": strings.ToUpper(spLicense)}, spClaims(base, "license_mismatch", false)))

	// Step 3: device binding.
	add(
		spTest("step3-device-required", "Step3", "bound proof and no fingerprint",
			text(bound), nil, spClaims(bound, "device_required", false)),
		spTest("step3-device-mismatch", "Step3", "bound proof and another device's fingerprint",
			text(bound), map[string]any{"fingerprint": text(spOtherDevice())}, spClaims(bound, "device_mismatch", false)),
		spTest("step3-device-extra-component", "Step3", "one more component changes the hash",
			text(bound), map[string]any{"fingerprint": `{"cpu_id":"Intel-Core-i9-12900K","disk_serial":"WD-ABC123456","hostname":"build-01","mac":"00:11:22:33:44:55"}`},
			spClaims(bound, "device_mismatch", false)),
	)

	// Step 4: epoch.
	add(spTest("step4-rollback", "Step4", "the host has seen epoch 43; this proof is at 42",
		baseText, map[string]any{"min_epoch": 43}, spClaims(base, "epoch_rollback", false)))

	// Step 5: status.
	add(
		spTest("step5-revoked", "Step5", "status revoked; its epoch is still worth storing",
			text(revoked), nil, spClaims(revoked, "revoked", true)),
		spTest("step5-expired", "Step5", "status expired",
			text(spSigned(spWith(map[string]any{"status": "expired"}))), nil,
			spClaims(spSigned(spWith(map[string]any{"status": "expired"})), "expired", true)),
		spTest("step5-unknown-status", "Step5", "status suspended is not a status proof status",
			text(spSigned(spWith(map[string]any{"status": "suspended"}))), nil,
			spClaims(spSigned(spWith(map[string]any{"status": "suspended"})), "invalid_field", true)),
		spTest("step5-status-case", "Step5", "status Valid: values are case-sensitive",
			text(spSigned(spWith(map[string]any{"status": "Valid"}))), nil,
			spClaims(spSigned(spWith(map[string]any{"status": "Valid"})), "invalid_field", true)),
	)

	// Order: a proof failing several steps reports the first.
	{
		early := spSigned(spWith(map[string]any{"checked_at": "2026-01-05T00:00:00Z", "valid_until": "2026-02-05T00:00:00Z", "status": "revoked"}))
		add(spTest("order-not-yet-valid-first", "Order Step1", "not yet valid, too long, other license, revoked: not_yet_valid",
			text(early), map[string]any{"license_id": "other"}, spClaims(early, "not_yet_valid", false)))
		longExpired := spSigned(spWith(map[string]any{"valid_until": spAdd(spCheckedAt, 200*time.Hour)}))
		add(spTest("order-expired-before-ttl", "Order Step1", "expired and too long: proof_expired",
			text(longExpired), map[string]any{"now": "2026-06-01T00:00:00Z"}, spClaims(longExpired, "proof_expired", false)))
		add(spTest("order-ttl-before-license", "Order Step1", "too long and another license: ttl_too_long",
			text(longExpired), map[string]any{"license_id": "other"}, spClaims(longExpired, "ttl_too_long", false)))
		add(spTest("order-expired-before-license", "Order Step1", "expired and another license: proof_expired",
			baseText, map[string]any{"now": spValidTo, "license_id": "other"}, spClaims(base, "proof_expired", false)))
		add(spTest("order-license-before-device", "Order Step2", "another license and another device: license_mismatch",
			text(bound), map[string]any{"license_id": "other", "fingerprint": text(spOtherDevice())}, spClaims(bound, "license_mismatch", false)))
		boundRevoked := spSigned(spWith(map[string]any{"binding_hash": spBinding(spDevice()), "status": "revoked"}))
		add(spTest("order-device-before-epoch", "Order Step3", "no fingerprint, rollback and revoked: device_required",
			text(boundRevoked), map[string]any{"min_epoch": 50}, spClaims(boundRevoked, "device_required", false)))
		add(spTest("order-epoch-before-status", "Order Step4", "rollback and revoked: epoch_rollback",
			text(revoked), map[string]any{"min_epoch": 50}, spClaims(revoked, "epoch_rollback", false)))
		tampered := clone(base)
		tampered["checked_at"] = "2020-01-01T00:00:00Z"
		add(spTest("order-signature-before-times", "Order Tamper", "a forged checked_at that would also be expired: bad_signature",
			text(tampered), nil, spReject("bad_signature")))
	}

	// Tampering: every member changed after signing.
	tamper := func(id, comment string, doc map[string]any, change func(map[string]any), code string) {
		t := clone(doc)
		change(t)
		add(spTest("tamper-"+id, "Tamper", comment, text(t), map[string]any{"fingerprint": device}, spReject(code)))
	}
	tamper("license-id", "license_id changed", base, func(p map[string]any) { p["license_id"] = "a1b2c3d4-e5f6-7890-abcd-ef1234567890" }, "bad_signature")
	tamper("status-revoked-to-valid", "a revoked proof turned valid", revoked, func(p map[string]any) { p["status"] = "valid" }, "bad_signature")
	tamper("status-valid-to-grace", "status changed to grace_period", base, func(p map[string]any) { p["status"] = "grace_period" }, "bad_signature")
	tamper("checked-at", "checked_at moved by one second", base, func(p map[string]any) { p["checked_at"] = "2025-12-30T15:30:01Z" }, "bad_signature")
	tamper("valid-until", "valid_until extended by a day", base, func(p map[string]any) { p["valid_until"] = "2026-01-02T15:30:00Z" }, "bad_signature")
	tamper("epoch", "revocation_epoch raised", base, func(p map[string]any) { p["revocation_epoch"] = int64(43) }, "bad_signature")
	tamper("binding-hash", "binding_hash replaced by this device's hash", spSigned(spWith(map[string]any{"binding_hash": spBinding(spOtherDevice())})),
		func(p map[string]any) { p["binding_hash"] = spBinding(spDevice()) }, "bad_signature")
	tamper("binding-hash-removed", "binding_hash deleted to unbind the proof", bound, func(p map[string]any) { delete(p, "binding_hash") }, "bad_signature")
	tamper("binding-hash-emptied", `binding_hash emptied to "" to unbind the proof`, bound, func(p map[string]any) { p["binding_hash"] = "" }, "bad_signature")
	tamper("binding-hash-added", "binding_hash added to an unbound proof", base, func(p map[string]any) { p["binding_hash"] = spBinding(spDevice()) }, "bad_signature")
	tamper("entitlements-added", "an entitlement added", base, func(p map[string]any) {
		p["entitlements"] = append(p["entitlements"].([]any), "feature:admin")
	}, "bad_signature")
	tamper("entitlements-reordered", "entitlements reordered (arrays are ordered)", base, func(p map[string]any) {
		e := p["entitlements"].([]any)
		e[0], e[1] = e[1], e[0]
	}, "bad_signature")
	tamper("entitlements-removed", "entitlements deleted", base, func(p map[string]any) { delete(p, "entitlements") }, "bad_signature")
	tamper("issuer-kid-other", "issuer_kid changed to another kid of the ring", base, func(p map[string]any) { p["issuer_kid"] = spOldKID }, "bad_signature")
	tamper("issuer-kid-absent", "issuer_kid changed to a kid the ring lacks", base, func(p map[string]any) { p["issuer_kid"] = "ql-api-v9" }, "unknown_key")
	tamper("extra-member", "a member added after signing", base, func(p map[string]any) { p["offline"] = true }, "bad_signature")
	tamper("signature-bit", "one bit of the signature flipped", base, func(p map[string]any) {
		s := spSig(p)
		s[10] ^= 1
		p["signature"] = base64.StdEncoding.EncodeToString(s)
	}, "bad_signature")
	tamper("signature-swapped", "the signature of another proof", base, func(p map[string]any) { p["signature"] = revoked["signature"] }, "bad_signature")
	{
		other := sign(spProof(), "not-in-ring")
		add(spTest("tamper-foreign-key", "Tamper Keyring", "signed by a key not in the ring under a kid that is",
			text(other), nil, spReject("bad_signature")))
	}

	// Unknown members signed by the issuer.
	{
		p := spSigned(spWith(map[string]any{"meta": map[string]any{"plan": "pro", "seats": []any{1, 2}}, "x_future": true, "proof": "unrelated"}))
		add(spTest("unknown-fields", "UnknownField Valid", "unknown members (one named proof) are ignored but signed", text(p), nil, ok(p)))
		upper := spSigned(spWith(map[string]any{"license_id": nil, "License_ID": spLicense}))
		add(spTest("member-name-case", "Shape", "License_ID is not license_id: names are case-sensitive",
			text(upper), nil, spReject("missing_field")))
	}

	// Forms.
	stdSig := base["signature"].(string)
	if !strings.ContainsAny(strings.TrimRight(stdSig, "="), "+/") {
		log.Fatal("statusproof: base signature has no + or /; the encoding vectors would not differ")
	}
	withSig := func(sig any) string {
		p := clone(base)
		p["signature"] = sig
		return text(p)
	}
	sigBytes := spSig(base)
	add(
		spTest("sig-std-unpadded", "SignatureEncoding Valid", "standard alphabet without padding",
			withSig(base64.RawStdEncoding.EncodeToString(sigBytes)), nil, ok(base)),
		spTest("sig-url-padded", "SignatureEncoding Valid", "URL-safe alphabet with padding",
			withSig(base64.URLEncoding.EncodeToString(sigBytes)), nil, ok(base)),
		spTest("sig-url-unpadded", "SignatureEncoding Valid", "URL-safe alphabet without padding",
			withSig(base64.RawURLEncoding.EncodeToString(sigBytes)), nil, ok(base)),
		spTest("sig-mixed-alphabets", "MalformedSignature", "standard and URL-safe characters in one string",
			withSig(spMixed(sigBytes)), nil,
			spReject("malformed_signature")),
		spTest("sig-trailing-bits", "MalformedSignature", "non-zero bits after the last byte: another spelling of the same bytes",
			withSig(spTrailingBits(base64.RawStdEncoding.EncodeToString(sigBytes))), nil, spReject("malformed_signature")),
		spTest("sig-not-base64", "MalformedSignature", "not base64", withSig("not a signature!"), nil, spReject("malformed_signature")),
		spTest("sig-63-bytes", "MalformedSignature", "63 bytes", withSig(base64.StdEncoding.EncodeToString(sigBytes[:63])), nil, spReject("malformed_signature")),
		spTest("sig-65-bytes", "MalformedSignature", "65 bytes",
			withSig(base64.StdEncoding.EncodeToString(append(append([]byte{}, sigBytes...), 0))), nil, spReject("malformed_signature")),
		spTest("sig-line-break", "MalformedSignature", "a line break inside the base64",
			withSig(stdSig[:40]+"\n"+stdSig[40:]), nil, spReject("malformed_signature")),
		spTest("sig-empty", "MalformedSignature", "empty string", withSig(""), nil, spReject("malformed_signature")),
		spTest("sig-number", "MalformedSignature", "a number", withSig(12345), nil, spReject("malformed_signature")),
		spTest("sig-null", "MalformedSignature", "null", withSig(nil), nil, spReject("malformed_signature")),
		spTest("sig-missing", "SignatureMissing", "no signature member", text(spProof()), nil, spReject("signature_missing")),
		spTest("sig-missing-before-shape", "SignatureMissing Order", "no signature and no license_id: the envelope is checked first",
			text(spWith(map[string]any{"license_id": nil})), nil, spReject("signature_missing")),
	)

	// Input forms: wrapper, compact, other JSON text.
	compact := base64.StdEncoding.EncodeToString([]byte(baseText))
	wrapper := func(members map[string]any) string { return text(members) }
	pythonText := strings.ReplaceAll(strings.ReplaceAll(baseText, `":`, `": `), `,"`, `, "`)
	add(
		spTest("form-reformatted", "Form Valid", "members reordered, indented: the canonical form is the same",
			spReformat(base), nil, ok(base)),
		spTest("form-escaped", "Form Valid", "license_id written with a \\u escape: the canonical form is the same",
			strings.Replace(baseText, `"license_id":"b28a`, `"license_id":"\u006228a`, 1), nil, ok(base)),
		spTest("form-wrapper", "Form Valid", "the issuer's API response: proof, compact, valid_until",
			wrapper(map[string]any{"proof": base, "compact": compact, "valid_until": spValidTo}), nil, ok(base)),
		spTest("form-wrapper-proof-only", "Form Valid", "wrapper without compact",
			wrapper(map[string]any{"proof": base}), nil, ok(base)),
		spTest("form-wrapper-compact-null", "Form Valid", "a null compact counts as absent",
			wrapper(map[string]any{"proof": base, "compact": nil}), nil, ok(base)),
		spTest("form-wrapper-compact-only", "Form Valid", "wrapper with only compact",
			wrapper(map[string]any{"compact": compact, "valid_until": spValidTo}), nil, ok(base)),
		spTest("form-wrapper-valid-until-ignored", "Form Valid", "the wrapper's valid_until is unsigned and never read",
			wrapper(map[string]any{"proof": base, "compact": compact, "valid_until": "2099-01-01T00:00:00Z"}), nil, ok(base)),
		spTest("form-wrapper-compact-reformatted", "Form Valid", "compact holds the same proof as other JSON text (Python's spacing)",
			wrapper(map[string]any{"proof": base, "compact": base64.StdEncoding.EncodeToString([]byte(pythonText))}), nil, ok(base)),
		spTest("form-wrapper-compact-differs", "Form", "compact holds another validly signed proof: the wrapper disagrees with itself",
			wrapper(map[string]any{"proof": base, "compact": base64.StdEncoding.EncodeToString([]byte(text(revoked)))}), nil,
			spClaims(base, "invalid_field", false)),
		spTest("form-wrapper-compact-other-signature", "Form", "compact holds the same members with another signature",
			wrapper(map[string]any{"proof": base, "compact": base64.StdEncoding.EncodeToString([]byte(withSig(base64.StdEncoding.EncodeToString(spSig(revoked)))))}), nil,
			spClaims(base, "invalid_field", false)),
		spTest("form-wrapper-compact-not-base64", "Form", "compact is not base64",
			wrapper(map[string]any{"proof": base, "compact": "not base64!"}), nil, spClaims(base, "invalid_field", false)),
		spTest("form-wrapper-compact-number", "Form", "compact is not a string",
			wrapper(map[string]any{"proof": base, "compact": 7}), nil, spClaims(base, "invalid_field", false)),
		spTest("form-wrapper-compact-duplicate", "Form Json", "compact holds the proof with a duplicate member",
			wrapper(map[string]any{"proof": base, "compact": base64.StdEncoding.EncodeToString([]byte(`{"status":"revoked",` + baseText[1:]))}), nil,
			spClaims(base, "duplicate_key", false)),
		spTest("form-wrapper-tampered-proof", "Form Tamper", "proof member tampered, compact intact: the signature is checked first",
			wrapper(map[string]any{"proof": spTampered(base, "status", "grace_period"), "compact": compact}), nil,
			spReject("bad_signature")),
		spTest("form-wrapper-revoked-proof", "Form Step5", "a wrapper around a revoked proof",
			wrapper(map[string]any{"proof": revoked, "compact": base64.StdEncoding.EncodeToString([]byte(text(revoked)))}), nil,
			spClaims(revoked, "revoked", true)),
		spTest("form-wrapper-proof-not-object", "Form Shape", "the wrapper's proof is a string",
			wrapper(map[string]any{"proof": baseText}), nil, spReject("invalid_field")),
		spTest("form-wrapper-with-signature", "Form Shape", "an object with proof and signature members is a proof, and lacks license_id",
			wrapper(map[string]any{"proof": base, "signature": stdSig}), nil, spReject("missing_field")),
		spTest("form-wrapper-compact-only-not-base64", "Form Shape", "a wrapper whose only proof is a compact that is not base64",
			wrapper(map[string]any{"compact": "%%%"}), nil, spReject("invalid_field")),
		spTest("form-compact-std", "Form Valid", "the compact string alone, standard base64", compact, nil, ok(base)),
		spTest("form-compact-url-unpadded", "Form Valid", "the compact string alone, base64url without padding",
			base64.RawURLEncoding.EncodeToString([]byte(baseText)), nil, ok(base)),
		spTest("form-compact-quoted", "Form Valid", "the compact string as a JSON string", text(compact), nil, ok(base)),
		spTest("form-compact-newline", "Form Valid", "the compact string as a file with a final newline", compact+"\n", nil, ok(base)),
		spTest("form-compact-python", "Form Valid", "compact of other JSON text of the same proof",
			base64.StdEncoding.EncodeToString([]byte(pythonText)), nil, ok(base)),
		spTest("form-compact-wrapped-lines", "Form", "compact broken into lines is not base64",
			compact[:60]+"\n"+compact[60:], nil, spReject("malformed_json")),
		spTest("form-compact-not-base64", "Form", "neither JSON nor base64", "proof?", nil, spReject("malformed_json")),
		spTest("form-compact-not-json", "Form", "base64 of text that is not JSON",
			base64.StdEncoding.EncodeToString([]byte("license_id=b28a923a")), nil, spReject("malformed_json")),
		spTest("form-compact-tampered", "Form Tamper", "compact of a tampered proof",
			base64.StdEncoding.EncodeToString([]byte(strings.Replace(baseText, `"status":"valid"`, `"status":"grace_period"`, 1))), nil,
			spReject("bad_signature")),
		spTest("form-compact-quoted-bad-escape", "Form Json", "a JSON string with an invalid escape", `"\x"`, nil, spReject("malformed_json")),
	)

	// Wrong kinds.
	add(
		spTest("wrong-kind-revocation-set", "WrongKind", "a signed revocation set given as a proof",
			text(sign(rvSet(), "revocation-issuer")), nil, spReject("missing_field")),
		spTest("wrong-kind-delta", "WrongKind", "a signed revocation delta given as a proof",
			text(sign(rvDelta1(), "revocation-issuer")), nil, spReject("missing_field")),
		spTest("wrong-kind-license", "WrongKind", "a license.key-like document: license_id and status but no checked_at",
			text(spSigned(map[string]any{"schema_version": 1, "license_id": spLicense, "product_id": "app", "status": "ACTIVE",
				"issued_at": spCheckedAt, "expires_at": spValidTo, "signature_alg": "ed25519", "issuer_kid": spKID})), nil,
			spReject("missing_field")),
		spTest("wrong-kind-array", "WrongKind Json", "a JSON array", `[`+baseText+`]`, nil, spReject("malformed_json")),
	)

	// Shape: signed documents with a member missing or malformed.
	shape := func(id, comment string, set map[string]any, code string) {
		add(spTest("shape-"+id, "Shape", comment, text(spSigned(spWith(set))), nil, spReject(code)))
	}
	for _, m := range []string{"license_id", "status", "checked_at", "valid_until", "revocation_epoch", "issuer_kid"} {
		shape("missing-"+strings.ReplaceAll(m, "_", "-"), m+" is missing", map[string]any{m: nil}, "missing_field")
	}
	shape("license-id-empty", "license_id is empty", map[string]any{"license_id": ""}, "invalid_field")
	shape("license-id-number", "license_id is a number", map[string]any{"license_id": 42}, "invalid_field")
	shape("status-number", "status is a number", map[string]any{"status": 1}, "invalid_field")
	shape("status-object", "status is an object", map[string]any{"status": map[string]any{}}, "invalid_field")
	shape("checked-at-space", "checked_at with a space for T", map[string]any{"checked_at": "2025-12-30 15:30:00Z"}, "invalid_field")
	shape("checked-at-no-zone", "checked_at without a time zone", map[string]any{"checked_at": "2025-12-30T15:30:00"}, "invalid_field")
	shape("valid-until-date", "valid_until is a date only", map[string]any{"valid_until": "2026-01-01"}, "invalid_field")
	// One RFC 3339 grammar (§5.6) for every date-time: what time.Parse
	// would shift or truncate is refused.
	for _, tc := range []struct{ id, comment, v string }{
		{"one-digit-hour", "a one-digit hour", "2025-12-30T9:30:00Z"},
		{"offset-24", "offset +24:00", "2025-12-31T15:30:00+24:00"},
		{"offset-minute-60", "offset +00:60, which a loose parser reads as +01:00", "2025-12-30T16:30:00+00:60"},
		{"comma-fraction", "a comma before the fraction", "2025-12-30T15:30:00,5Z"},
		{"ten-fraction-digits", "10 fraction digits, which a loose parser truncates", "2025-12-30T15:30:00.1234567891Z"},
		{"lower-case-t", "a lower-case t", "2025-12-30t15:30:00Z"},
		{"lower-case-z", "a lower-case z", "2025-12-30T15:30:00z"},
		{"leap-second", "second 60", "2025-12-30T15:29:60Z"},
		{"february-30", "February 30", "2025-02-30T15:30:00Z"},
		{"before-year-0", "an offset that puts the instant in year -1", "0000-01-01T00:00:00+00:01"},
	} {
		shape("checked-at-"+tc.id, "checked_at with "+tc.comment, map[string]any{"checked_at": tc.v}, "invalid_field")
	}
	shape("valid-until-unix", "valid_until is a Unix time", map[string]any{"valid_until": 1767281400}, "invalid_field")
	shape("epoch-negative", "revocation_epoch is negative", map[string]any{"revocation_epoch": -1}, "invalid_field")
	shape("epoch-string", "revocation_epoch is a string", map[string]any{"revocation_epoch": "42"}, "invalid_field")
	shape("binding-upper", "binding_hash in upper-case hex", map[string]any{"binding_hash": "sha256:" + strings.ToUpper(spBinding(spDevice())[7:])}, "invalid_field")
	shape("binding-prefix", "binding_hash without the sha256: prefix", map[string]any{"binding_hash": spBinding(spDevice())[7:]}, "invalid_field")
	shape("binding-short", "binding_hash truncated as in the issuer's documentation", map[string]any{"binding_hash": "sha256:9f86d081884c7d659a2feaa0c55ad015"}, "invalid_field")
	shape("binding-number", "binding_hash is a number", map[string]any{"binding_hash": 7}, "invalid_field")
	shape("entitlements-string", "entitlements is a string", map[string]any{"entitlements": "feature:api"}, "invalid_field")
	shape("entitlements-number-element", "entitlements holds a number", map[string]any{"entitlements": []any{"feature:api", 7}}, "invalid_field")
	shape("issuer-kid-empty", "issuer_kid is empty", map[string]any{"issuer_kid": ""}, "invalid_field")
	shape("issuer-kid-number", "issuer_kid is a number", map[string]any{"issuer_kid": 2}, "invalid_field")
	// Numbers canon cannot write: the shape check comes before the
	// signature, so these carry the base proof's signature.
	rawEpoch := func(v string) string {
		return strings.Replace(baseText, `"revocation_epoch":42`, `"revocation_epoch":`+v, 1)
	}
	add(
		spTest("shape-epoch-fraction", "Shape", "revocation_epoch 42.5", rawEpoch("42.5"), nil, spReject("invalid_field")),
		spTest("json-epoch-1e16", "Json", "revocation_epoch 1e16 is canonically an integer above 2^53", rawEpoch("1e16"), nil, spReject("malformed_json")),
		spTest("json-epoch-2^53+1-with-fraction", "Json", "revocation_epoch 9007199254740993.0 rounds to the double 2^53 but its value is beyond it: refused before rounding",
			rawEpoch("9007199254740993.0"), nil, spReject("malformed_json")),
		spTest("json-epoch-2^53-with-fraction", "Json Form", "revocation_epoch 9007199254740992.0 is exactly 2^53: canonically 9007199254740992, so the signature of the proof at 42 fails",
			rawEpoch("9007199254740992.0"), nil, spReject("bad_signature")),
		spTest("form-epoch-integral-float", "Form Valid", "revocation_epoch 42.0 is the number 42 (same canonical form): the signature still verifies",
			rawEpoch("42.0"), nil, ok(base)),
	)

	// Strict JSON.
	add(
		spTest("json-duplicate-status", "Json", "status twice; a lax parser would take either",
			`{"status":"revoked",`+baseText[1:], nil, spReject("duplicate_key")),
		spTest("json-duplicate-escaped", "Json", `"status" and "st\u0061tus" are one name`,
			`{"st\u0061tus":"revoked",`+baseText[1:], nil, spReject("duplicate_key")),
		spTest("json-duplicate-nested", "Json", "a duplicate inside an unknown member",
			`{"meta":{"a":1,"a":2},`+baseText[1:], nil, spReject("duplicate_key")),
		spTest("json-big-epoch", "Json", "revocation_epoch 2^53+1 cannot be held exactly", rawEpoch("9007199254740993"), nil, spReject("malformed_json")),
		spTest("json-truncated", "Json", "the proof cut short", baseText[:len(baseText)-2], nil, spReject("malformed_json")),
		spTest("json-trailing-comma", "Json", "a trailing comma", baseText[:len(baseText)-1]+",}", nil, spReject("malformed_json")),
		spTest("json-empty", "Json", "empty input", "", nil, spReject("malformed_json")),
		spTest("json-too-large", "Json Options Boundary", "the proof is one byte over the limit", baseText,
			map[string]any{"limit": len(baseText) - 1}, spReject("input_too_large")),
		spTest("json-at-limit", "Json Options Boundary Valid", "the proof is exactly as large as the limit", baseText,
			map[string]any{"limit": len(baseText)}, ok(base)),
	)

	// The key.
	window := func(notBefore, notAfter string) string {
		return keyring(ringKey{kid: spKID, name: "status-issuer", notBefore: notBefore, notAfter: notAfter})
	}
	add(
		spTest("key-weak-in-ring", "Keyring", "the ring holds a small-order public key: refused when the ring is loaded",
			baseText, map[string]any{"keys": spWeakRing()}, keyringErr("weak_key")),
		spTest("key-not-yet-valid", "Keyring", "the key's not_before is after checked_at",
			baseText, map[string]any{"keys": window("2025-12-31T00:00:00Z", "")}, spReject("key_not_valid")),
		spTest("key-retired", "Keyring", "the key's not_after is before checked_at",
			baseText, map[string]any{"keys": window("", "2025-12-01T00:00:00Z")}, spReject("key_not_valid")),
		spTest("key-window-inside", "Keyring Valid", "checked_at inside the key's window",
			baseText, map[string]any{"keys": window("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z")}, ok(base)),
		spTest("key-window-before-expiry", "Keyring Order", "key window failed and the proof expired: key_not_valid comes first",
			baseText, map[string]any{"keys": window("", "2025-12-01T00:00:00Z"), "now": "2027-01-01T00:00:00Z"}, spReject("key_not_valid")),
		spTest("key-unknown", "Keyring", "issuer_kid names a key the ring lacks",
			text(spSigned(spWith(map[string]any{"issuer_kid": "ql-api-v3"}))), nil, spReject("unknown_key")),
		spTest("key-kid-case", "Keyring", "kids compare byte for byte",
			text(spSigned(spWith(map[string]any{"issuer_kid": "QL-API-V2"}))), nil, spReject("unknown_key")),
		spTest("key-jwks", "Keyring Valid", "the same key given as a JWKS",
			baseText, map[string]any{"keys": spJWKS()}, ok(base)),
	)
	return tests
}

// spTrailingBits sets a low bit of the last character of unpadded base64
// of 64 bytes, whose last 4 bits must be zero.
func spTrailingBits(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	last := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[last|1])
}

// spWeakRing is a ring holding the identity point (small order) beside a
// good key.
func spWeakRing() string {
	weak := make([]byte, 32)
	weak[0] = 1
	return text([]any{
		map[string]any{"kid": spKID, "alg": "ed25519", "public_key": publicB64("status-issuer")},
		map[string]any{"kid": "weak", "alg": "ed25519", "public_key": base64.StdEncoding.EncodeToString(weak)},
	})
}

// spJWKS is the status issuer's key as a JWKS.
func spJWKS() string {
	std, _ := base64.StdEncoding.DecodeString(publicB64("status-issuer"))
	return text(map[string]any{"keys": []any{map[string]any{
		"kty": "OKP", "crv": "Ed25519", "kid": spKID, "x": base64.RawURLEncoding.EncodeToString(std)}}})
}

// spTampered returns a copy of a signed document with one member changed.
func spTampered(doc map[string]any, member string, value any) map[string]any {
	t := clone(doc)
	t[member] = value
	return t
}

// spMixed spells a signature with both base64 alphabets.
func spMixed(sig []byte) string {
	s := base64.RawStdEncoding.EncodeToString(sig)
	if !strings.ContainsAny(s[1:], "+/") {
		log.Fatal("statusproof: signature has no + or / after its first character")
	}
	return "-" + s[1:]
}
