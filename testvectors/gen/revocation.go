package main

import (
	"encoding/base64"
	"strings"
	"time"
)

// The revocation topic exercises formats.md §2 through the
// "revocation_set" request: full sets, deltas applied in order, lookups
// with suspension windows, stale sets, the epoch guard, tampering with
// every member, and the signature envelope.
func init() {
	register(topic{
		name: "revocation",
		notes: map[string]string{
			"Valid":              "a correctly signed set (and deltas) that passes every check",
			"Lookup":             "lookups of license ids in a verified set at now",
			"Suspension":         "a suspended id, before and after its until",
			"Stale":              "a set whose valid_until has passed, refused or accepted as stale",
			"Epoch":              "the anti-rollback guard against the stored epoch",
			"NotYetValid":        "issued_at after now plus the skew",
			"Delta":              "a delta applied to a verified set (since_epoch sync)",
			"Times":              "valid_until must be after issued_at (checked after the signature)",
			"Lists":              "the id lists of an authentic document: strings, each once, one state per id",
			"Order":              "fails several checks; the first in the documented order is reported",
			"Boundary":           "a time exactly at the edge of a check",
			"Tamper":             "a member changed after signing: always bad_signature (or unknown_key for an absent kid)",
			"UnknownField":       "members unknown to v1, signed by the issuer: ignored for meaning, covered by the signature",
			"WrongKind":          "a document of another kind given as a set or a delta",
			"SignatureEncoding":  "signature in another base64 spelling of the same bytes",
			"MalformedSignature": "signature member that is not base64 of 64 bytes",
			"SignatureMissing":   "no signature member",
			"Shape":              "a member missing or of the wrong type, checked before the signature",
			"Json":               "strict JSON parse step (formats.md §0)",
			"Keyring":            "the key: weak keys in the ring, key windows, unknown kids, no kid",
			"Options":            "host options: skew, size limit",
			"PythonUTC":          "a UTC time as CPython's datetime.isoformat() writes an aware one: +00:00, with .ffffff when there are microseconds",
		},
		tests: revocationTests,
	})
}

const (
	rvKID       = "rv-2025"
	rvOldKID    = "rv-2024"
	rvIssuedAt  = "2025-12-30T15:30:00Z"
	rvValidTo   = "2025-12-30T16:30:00Z"
	rvNow       = "2025-12-30T16:00:00Z"
	rvRevoked1  = "b28a923a-c747-49b2-bc90-d87004c10379"
	rvRevoked2  = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
	rvSuspended = "5f0c9d1e-2b3a-4c5d-8e7f-901234567890"
	rvUntil     = "2026-01-15T00:00:00Z"
	rvClean     = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
	rvAdded     = "c0ffee00-0000-4000-8000-000000000001"
	rvNewSusp   = "d00dd00d-0000-4000-8000-000000000002"
	rvNewUntil  = "2026-01-10T00:00:00Z"
)

var rvKeyName = map[string]string{rvKID: "revocation-issuer", rvOldKID: "revocation-issuer-old"}

func rvRing() string {
	return keyring(ringKey{kid: rvKID, name: "revocation-issuer"}, ringKey{kid: rvOldKID, name: "revocation-issuer-old"})
}

// rvSet is the full set at epoch 42: two revoked ids, one suspension.
func rvSet() map[string]any {
	return map[string]any{
		"epoch":       42,
		"revoked_ids": []any{rvRevoked1, rvRevoked2},
		"issued_at":   rvIssuedAt,
		"valid_until": rvValidTo,
		"issuer_kid":  rvKID,
		"suspended":   []any{map[string]any{"license_id": rvSuspended, "until": rvUntil}},
	}
}

// rvDelta1 moves the set from 42 to 43: one id revoked, one restored.
func rvDelta1() map[string]any {
	return map[string]any{
		"epoch": 43, "since_epoch": 42,
		"added": []any{rvAdded}, "removed": []any{rvRevoked2},
		"issued_at": "2025-12-30T15:40:00Z", "valid_until": "2025-12-30T16:40:00Z",
		"issuer_kid": rvKID,
	}
}

// rvDelta2 moves it from 43 to 45: a suspension lifted, another added.
func rvDelta2() map[string]any {
	return map[string]any{
		"epoch": 45, "since_epoch": 43,
		"added": []any{}, "removed": []any{rvSuspended},
		"suspended": []any{map[string]any{"license_id": rvNewSusp, "until": rvNewUntil}},
		"issued_at": "2025-12-30T15:50:00Z", "valid_until": "2025-12-30T16:50:00Z",
		"issuer_kid": rvKID,
	}
}

// rvWith returns a copy of doc with members set (nil deletes).
func rvWith(doc map[string]any, set map[string]any) map[string]any {
	d := clone(doc)
	for k, v := range set {
		if v == nil {
			delete(d, k)
			continue
		}
		d[k] = v
	}
	return d
}

// rvSigned signs a document with the key its issuer_kid names (the
// current key when it names none).
func rvSigned(d map[string]any) map[string]any {
	kid, _ := d["issuer_kid"].(string)
	name, ok := rvKeyName[kid]
	if !ok {
		name = "revocation-issuer"
	}
	return sign(d, name)
}

// rvClaims is the expected result of a set whose signature verified,
// from the members the vector put in. revoked and suspended are the
// counts of the resulting set; store is whether the rollback check passed.
func rvClaims(d map[string]any, code, kid string, revoked, suspended int, stale, store bool) map[string]any {
	e := map[string]any{
		"valid":           code == "ok",
		"code":            code,
		"epoch":           d["epoch"],
		"issued_at":       spTime(d["issued_at"].(string)),
		"valid_until":     spTime(d["valid_until"].(string)),
		"revoked_count":   revoked,
		"suspended_count": suspended,
		"signed_form":     "rfc8785", // sign writes RFC 8785
	}
	if kid != "" {
		e["kid"] = kid
	}
	if stale {
		e["stale"] = true
	}
	if store {
		e["store_epoch"] = d["epoch"]
	}
	return e
}

// rvOK is the expected result of a valid full set, counts from its lists.
func rvOK(d map[string]any, kid string) map[string]any {
	n := 0
	if s, ok := d["suspended"].([]any); ok {
		n = len(s)
	}
	return rvClaims(d, "ok", kid, len(d["revoked_ids"].([]any)), n, false, true)
}

// lookup is one expected lookup result.
func lookup(id, status, until string) map[string]any {
	m := map[string]any{"license_id": id, "status": status}
	if until != "" {
		m["until"] = until
	}
	return m
}

func withLookups(e map[string]any, l ...map[string]any) map[string]any {
	list := make([]any, len(l))
	for i, x := range l {
		list[i] = x
	}
	e["lookups"] = list
	return e
}

func rvRequest(set string, deltas []string, extra map[string]any) map[string]any {
	r := map[string]any{"op": "revocation_set", "keys": rvRing(), "now": rvNow, "set": set}
	if deltas != nil {
		r["deltas"] = deltas
	}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func rvTest(id, flags, comment, set string, deltas []string, extra map[string]any, expected map[string]any) test {
	return test{ID: "revocation/" + id, Comment: comment, Flags: strings.Fields(flags),
		Request: rvRequest(set, deltas, extra), Expected: expected}
}

func revocationTests() []test {
	set := rvSigned(rvSet())
	setText := text(set)
	d1 := rvSigned(rvDelta1())
	d2 := rvSigned(rvDelta2())
	d2py := rvSigned(rvWith(rvDelta2(), map[string]any{"issued_at": "2025-12-30T15:50:00+00:00", "valid_until": "2025-12-30T16:50:00.123456+00:00",
		"suspended": []any{map[string]any{"license_id": rvNewSusp, "until": "2026-01-10T00:00:00.000001+00:00"}}}))
	all := []string{rvRevoked1, rvRevoked2, rvSuspended, rvClean}
	lookupAll := map[string]any{"lookup": all}
	var tests []test
	add := func(t ...test) { tests = append(tests, t...) }
	reject := spReject

	// Full sets.
	add(
		rvTest("valid", "Valid Lookup Suspension", "the set at epoch 42 with lookups of a revoked, a suspended and a clean id",
			setText, nil, lookupAll, withLookups(rvOK(set, rvKID),
				lookup(rvRevoked1, "revoked", ""), lookup(rvRevoked2, "revoked", ""),
				lookup(rvSuspended, "suspended", rvUntil), lookup(rvClean, "not_revoked", ""))),
		rvTest("valid-no-lookup", "Valid", "without lookups the result has none", setText, nil, nil, rvOK(set, rvKID)),
		rvTest("valid-empty-lookup", "Valid Lookup", "an empty lookup list gives no lookups", setText, nil,
			map[string]any{"lookup": []string{}}, rvOK(set, rvKID)),
		rvTest("lookup-case", "Lookup", "ids compare byte for byte: the upper-case id is not listed", setText, nil,
			map[string]any{"lookup": []string{strings.ToUpper(rvRevoked1)}},
			withLookups(rvOK(set, rvKID), lookup(strings.ToUpper(rvRevoked1), "not_revoked", ""))),
	)
	{
		seed := rvSigned(map[string]any{"epoch": 42, "revoked_ids": []any{rvRevoked1, rvRevoked2},
			"issued_at": rvIssuedAt, "valid_until": rvValidTo})
		add(rvTest("valid-no-kid", "Valid Keyring", "the issuer's documented form: no issuer_kid, no suspended; every ring key is tried",
			text(seed), nil, map[string]any{"lookup": []string{rvRevoked2}}, withLookups(rvOK(seed, rvKID), lookup(rvRevoked2, "revoked", ""))))
		old := sign(rvWith(seed, nil), "revocation-issuer-old")
		add(rvTest("valid-no-kid-second-key", "Valid Keyring", "no issuer_kid, signed by the ring's second key: kid reports that key",
			text(old), nil, nil, rvOK(old, rvOldKID)))
		// One public key listed twice, a retired window and a current one:
		// the answer does not depend on which comes first.
		retired := ringKey{kid: "rv-retired", name: "revocation-issuer", notAfter: "2025-01-01T00:00:00Z"}
		current := ringKey{kid: rvKID, name: "revocation-issuer"}
		for _, order := range []struct {
			id   string
			ring string
		}{{"retired-first", keyring(retired, current)}, {"current-first", keyring(current, retired)}} {
			add(rvTest("no-kid-key-listed-twice-"+order.id, "Valid Keyring", "no issuer_kid; the ring lists the signing key twice, one window retired: the current entry verifies it",
				text(seed), nil, map[string]any{"keys": order.ring}, rvOK(seed, rvKID)))
		}
		add(rvTest("no-kid-key-listed-twice-both-retired", "Keyring", "no issuer_kid; both entries of the key are outside their windows",
			text(seed), nil, map[string]any{"keys": keyring(retired, ringKey{kid: "rv-later", name: "revocation-issuer", notBefore: "2026-01-01T00:00:00Z"})},
			reject("key_not_valid")))
		foreign := sign(rvWith(seed, nil), "not-in-ring")
		add(rvTest("no-kid-foreign-key", "Keyring", "no issuer_kid and no ring key verifies", text(foreign), nil, nil, reject("bad_signature")))
		empty := rvSigned(rvWith(rvSet(), map[string]any{"revoked_ids": []any{}, "suspended": nil}))
		add(rvTest("valid-empty", "Valid Lookup", "nothing revoked", text(empty), nil, map[string]any{"lookup": []string{rvRevoked1}},
			withLookups(rvOK(empty, rvKID), lookup(rvRevoked1, "not_revoked", ""))))
		null := rvSet()
		null["suspended"] = nil
		null = rvSigned(null)
		add(rvTest("valid-suspended-null", "Valid", "suspended null means none", text(null), nil, nil,
			rvClaims(null, "ok", rvKID, 2, 0, false, true)))
		odd := rvSigned(rvWith(rvSet(), map[string]any{"revoked_ids": []any{`x"y\z`, rvRevoked1}}))
		add(rvTest("valid-escaped-id", "Valid Lookup", `an id holding a quote and a backslash, escaped in JSON`, text(odd), nil,
			map[string]any{"lookup": []string{`x"y\z`, `x"y`}},
			withLookups(rvOK(odd, rvKID), lookup(`x"y\z`, "revoked", ""), lookup(`x"y`, "not_revoked", ""))))
		add(rvTest("valid-unicode-escape", "Valid Lookup", `an id written with a \u escape is the same id`,
			strings.Replace(setText, `"b28a923a`, `"\u006228a923a`, 1), nil, map[string]any{"lookup": []string{rvRevoked1}},
			withLookups(rvOK(set, rvKID), lookup(rvRevoked1, "revoked", ""))))
		unknown := rvSigned(rvWith(rvSet(), map[string]any{
			"reasons":   map[string]any{rvRevoked1: "violation"},
			"suspended": []any{map[string]any{"license_id": rvSuspended, "until": rvUntil, "reason": "administrative"}},
		}))
		add(rvTest("unknown-fields", "UnknownField Valid", "unknown members at the top and in a suspension entry", text(unknown), nil, nil,
			rvOK(unknown, rvKID)))
	}

	// Suspensions over time.
	{
		s := rvSigned(rvWith(rvSet(), map[string]any{"suspended": []any{
			map[string]any{"license_id": "susp-past", "until": "2025-12-30T15:45:00Z"},
			map[string]any{"license_id": "susp-now", "until": rvNow},
			map[string]any{"license_id": "susp-next-second", "until": "2025-12-30T16:00:01Z"},
			map[string]any{"license_id": "susp-offset", "until": "2026-01-15T01:00:00+01:00"},
		}}))
		add(rvTest("suspension-windows", "Suspension Lookup Boundary",
			"suspended while now < until: ended, ending exactly now, one second left, and an until with an offset",
			text(s), nil, map[string]any{"lookup": []string{"susp-past", "susp-now", "susp-next-second", "susp-offset"}},
			withLookups(rvOK(s, rvKID), lookup("susp-past", "not_revoked", ""), lookup("susp-now", "not_revoked", ""),
				lookup("susp-next-second", "suspended", "2025-12-30T16:00:01Z"), lookup("susp-offset", "suspended", rvUntil))))
		py := rvSigned(rvWith(rvSet(), map[string]any{"issued_at": "2025-12-30T15:30:00.123456+00:00", "valid_until": "2025-12-30T16:30:00+00:00",
			"suspended": []any{map[string]any{"license_id": rvSuspended, "until": "2026-01-15T00:00:00.250000+00:00"}}}))
		add(rvTest("valid-python-isoformat", "Valid Suspension Lookup PythonUTC",
			"issued_at, valid_until and a suspension's until as CPython's isoformat() writes them; results are written with Z",
			text(py), nil, map[string]any{"lookup": []string{rvSuspended}},
			withLookups(rvOK(py, rvKID), lookup(rvSuspended, "suspended", "2026-01-15T00:00:00.25Z"))))
		add(rvTest("suspension-later", "Suspension Lookup Stale", "the same set looked up after the suspension ended (stale allowed)",
			setText, nil, map[string]any{"now": "2026-01-15T00:00:00Z", "allow_stale": true, "lookup": []string{rvSuspended}},
			withLookups(rvClaims(set, "ok", rvKID, 2, 1, true, true), lookup(rvSuspended, "not_revoked", ""))))
	}

	// Staleness, epoch, not yet valid.
	add(
		rvTest("stale-refused", "Stale Boundary", "now equal to valid_until: set_expired", setText, nil,
			map[string]any{"now": rvValidTo}, rvClaims(set, "set_expired", rvKID, 2, 1, false, true)),
		rvTest("stale-allowed", "Stale Boundary Valid Lookup", "the host accepts a stale set: valid, stale: true", setText, nil,
			map[string]any{"now": rvValidTo, "allow_stale": true, "lookup": []string{rvRevoked1}},
			withLookups(rvClaims(set, "ok", rvKID, 2, 1, true, true), lookup(rvRevoked1, "revoked", ""))),
		rvTest("stale-last-second", "Stale Boundary Valid", "one second before valid_until", setText, nil,
			map[string]any{"now": spAdd(rvValidTo, -time.Second)}, rvOK(set, rvKID)),
		rvTest("epoch-rollback", "Epoch", "the host has stored epoch 43", setText, nil,
			map[string]any{"min_epoch": 43}, rvClaims(set, "epoch_rollback", rvKID, 2, 1, false, false)),
		rvTest("epoch-equal", "Epoch Boundary Valid", "stored epoch 42, set at 42", setText, nil,
			map[string]any{"min_epoch": 42}, rvOK(set, rvKID)),
		rvTest("order-rollback-before-stale", "Order Epoch Stale", "older than stored and expired: epoch_rollback", setText, nil,
			map[string]any{"min_epoch": 43, "now": "2026-02-01T00:00:00Z"}, rvClaims(set, "epoch_rollback", rvKID, 2, 1, false, false)),
		rvTest("not-yet-valid", "NotYetValid", "issued 6 minutes after now", setText, nil,
			map[string]any{"now": spAdd(rvIssuedAt, -6*time.Minute)}, rvClaims(set, "not_yet_valid", rvKID, 2, 1, false, false)),
		rvTest("not-yet-valid-skew-edge", "NotYetValid Boundary Valid", "issued exactly 5 minutes after now: tolerated", setText, nil,
			map[string]any{"now": spAdd(rvIssuedAt, -5*time.Minute)}, rvOK(set, rvKID)),
		rvTest("not-yet-valid-skew-zero", "NotYetValid Options", "skew_seconds 0 and issued one second after now", setText, nil,
			map[string]any{"now": spAdd(rvIssuedAt, -time.Second), "skew_seconds": 0}, rvClaims(set, "not_yet_valid", rvKID, 2, 1, false, false)),
	)
	{
		inverted := rvSigned(rvWith(rvSet(), map[string]any{"valid_until": rvIssuedAt}))
		add(rvTest("valid-until-not-after-issued-at", "Times", "valid_until equal to issued_at", text(inverted), nil, nil,
			rvClaims(inverted, "invalid_field", rvKID, 2, 1, false, false)))
	}

	// The id lists, read after the signature.
	lists := func(id, comment string, set map[string]any, code string) {
		add(rvTest("lists-"+id, "Lists", comment, text(rvSigned(rvWith(rvSet(), set))), nil, nil, reject(code)))
	}
	lists("duplicate-id", "revoked_ids lists an id twice", map[string]any{"revoked_ids": []any{rvRevoked1, rvRevoked2, rvRevoked1}}, "invalid_field")
	lists("empty-id", "revoked_ids holds an empty string", map[string]any{"revoked_ids": []any{rvRevoked1, ""}}, "invalid_field")
	lists("number-id", "revoked_ids holds a number", map[string]any{"revoked_ids": []any{rvRevoked1, 7}}, "invalid_field")
	lists("null-id", "revoked_ids holds null", map[string]any{"revoked_ids": []any{nil}}, "invalid_field")
	lists("revoked-and-suspended", "an id both revoked and suspended", map[string]any{"suspended": []any{
		map[string]any{"license_id": rvRevoked1, "until": rvUntil}}}, "invalid_field")
	lists("suspended-twice", "an id suspended twice", map[string]any{"suspended": []any{
		map[string]any{"license_id": rvSuspended, "until": rvUntil}, map[string]any{"license_id": rvSuspended, "until": rvNewUntil}}}, "invalid_field")
	lists("suspended-not-object", "a suspension entry that is a string", map[string]any{"suspended": []any{rvSuspended}}, "invalid_field")
	lists("suspended-no-until", "a suspension without until", map[string]any{"suspended": []any{map[string]any{"license_id": rvSuspended}}}, "missing_field")
	lists("suspended-until-null", "a suspension with until null (a permanent one belongs in revoked_ids)",
		map[string]any{"suspended": []any{map[string]any{"license_id": rvSuspended, "until": nil}}}, "invalid_field")
	lists("suspended-bad-until", "a suspension whose until is not RFC 3339",
		map[string]any{"suspended": []any{map[string]any{"license_id": rvSuspended, "until": "2026-01-15"}}}, "invalid_field")
	lists("suspended-no-id", "a suspension without license_id", map[string]any{"suspended": []any{map[string]any{"until": rvUntil}}}, "missing_field")

	// Shape, before the signature.
	shape := func(id, comment string, set map[string]any, code string) {
		add(rvTest("shape-"+id, "Shape", comment, text(rvSigned(rvWith(rvSet(), set))), nil, nil, reject(code)))
	}
	for _, m := range []string{"epoch", "revoked_ids", "issued_at", "valid_until"} {
		shape("missing-"+strings.ReplaceAll(m, "_", "-"), m+" is missing", map[string]any{m: nil}, "missing_field")
	}
	shape("epoch-negative", "epoch -1", map[string]any{"epoch": -1}, "invalid_field")
	shape("epoch-string", "epoch as a string", map[string]any{"epoch": "42"}, "invalid_field")
	shape("revoked-ids-string", "revoked_ids is a string", map[string]any{"revoked_ids": rvRevoked1}, "invalid_field")
	shape("revoked-ids-object", "revoked_ids is an object", map[string]any{"revoked_ids": map[string]any{rvRevoked1: true}}, "invalid_field")
	shape("issued-at-bad", "issued_at is not RFC 3339", map[string]any{"issued_at": "yesterday"}, "invalid_field")
	shape("issuer-kid-number", "issuer_kid is a number", map[string]any{"issuer_kid": 2025}, "invalid_field")
	shape("suspended-object", "suspended is an object", map[string]any{"suspended": map[string]any{rvSuspended: rvUntil}}, "invalid_field")

	// Tampering.
	tamper := func(id, comment string, change func(map[string]any), code string) {
		t := clone(set)
		change(t)
		add(rvTest("tamper-"+id, "Tamper", comment, text(t), nil, map[string]any{"lookup": []string{rvRevoked1}}, reject(code)))
	}
	tamper("epoch", "epoch raised to pass a stored epoch", func(d map[string]any) { d["epoch"] = int64(99) }, "bad_signature")
	tamper("revoked-id-removed", "a revoked id deleted: the classic un-revoke forgery", func(d map[string]any) {
		d["revoked_ids"] = []any{rvRevoked2}
	}, "bad_signature")
	tamper("revoked-id-added", "an id added", func(d map[string]any) {
		d["revoked_ids"] = append(d["revoked_ids"].([]any), rvClean)
	}, "bad_signature")
	tamper("revoked-ids-reordered", "revoked_ids reordered (arrays are ordered)", func(d map[string]any) {
		d["revoked_ids"] = []any{rvRevoked2, rvRevoked1}
	}, "bad_signature")
	tamper("issued-at", "issued_at moved", func(d map[string]any) { d["issued_at"] = "2025-12-30T15:31:00Z" }, "bad_signature")
	tamper("valid-until", "valid_until extended to keep a stale set alive", func(d map[string]any) { d["valid_until"] = "2026-12-30T16:30:00Z" }, "bad_signature")
	tamper("suspension-until", "a suspension shortened", func(d map[string]any) {
		d["suspended"] = []any{map[string]any{"license_id": rvSuspended, "until": "2025-12-30T15:00:00Z"}}
	}, "bad_signature")
	tamper("suspension-removed", "the suspension list emptied", func(d map[string]any) { d["suspended"] = []any{} }, "bad_signature")
	tamper("suspended-deleted", "the suspended member deleted", func(d map[string]any) { delete(d, "suspended") }, "bad_signature")
	tamper("issuer-kid-other", "issuer_kid changed to the ring's other kid", func(d map[string]any) { d["issuer_kid"] = rvOldKID }, "bad_signature")
	tamper("issuer-kid-absent", "issuer_kid changed to a kid the ring lacks", func(d map[string]any) { d["issuer_kid"] = "rv-2099" }, "unknown_key")
	tamper("issuer-kid-deleted", "issuer_kid deleted: every key is tried, none verifies", func(d map[string]any) { delete(d, "issuer_kid") }, "bad_signature")
	tamper("extra-member", "a member added after signing", func(d map[string]any) { d["note"] = "x" }, "bad_signature")
	tamper("signature-bit", "one bit of the signature flipped", func(d map[string]any) {
		s := spSig(d)
		s[63] ^= 0x10
		d["signature"] = base64.StdEncoding.EncodeToString(s)
	}, "bad_signature")

	// Wrong kinds.
	add(
		rvTest("wrong-kind-proof", "WrongKind", "a signed status proof given as a set", text(spSigned(spProof())), nil,
			map[string]any{"keys": spRing()}, reject("missing_field")),
		rvTest("wrong-kind-delta-as-set", "WrongKind", "a delta given as a full set", text(d1), nil, nil, reject("missing_field")),
		rvTest("wrong-kind-set-as-delta", "WrongKind Delta", "a full set given as a delta", setText, []string{setText}, nil, reject("missing_field")),
		rvTest("wrong-kind-proof-as-delta", "WrongKind Delta", "a status proof given as a delta", setText, []string{text(spSigned(spProof()))},
			nil, reject("missing_field")),
	)

	// Envelope and JSON.
	withSig := func(sig any) string {
		d := clone(set)
		d["signature"] = sig
		return text(d)
	}
	sig := spSig(set)
	add(
		rvTest("sig-url-unpadded", "SignatureEncoding Valid", "URL-safe base64 without padding",
			withSig(base64.RawURLEncoding.EncodeToString(sig)), nil, nil, rvOK(set, rvKID)),
		rvTest("sig-std-unpadded", "SignatureEncoding Valid", "standard base64 without padding",
			withSig(base64.RawStdEncoding.EncodeToString(sig)), nil, nil, rvOK(set, rvKID)),
		rvTest("sig-not-base64", "MalformedSignature", "signature is not base64", withSig("*"), nil, nil, reject("malformed_signature")),
		rvTest("sig-32-bytes", "MalformedSignature", "a 32-byte signature", withSig(base64.StdEncoding.EncodeToString(sig[:32])), nil, nil,
			reject("malformed_signature")),
		rvTest("sig-array", "MalformedSignature", "signature as an array of bytes", withSig([]any{1, 2, 3}), nil, nil, reject("malformed_signature")),
		rvTest("sig-missing", "SignatureMissing", "no signature", text(rvSet()), nil, nil, reject("signature_missing")),
		rvTest("json-duplicate-epoch", "Json", "epoch twice", `{"epoch":99,`+setText[1:], nil, nil, reject("duplicate_key")),
		rvTest("json-duplicate-in-suspension", "Json", "a duplicate inside a suspension entry",
			strings.Replace(setText, `{"license_id":"`+rvSuspended+`"`, `{"license_id":"x","license_id":"`+rvSuspended+`"`, 1), nil, nil,
			reject("duplicate_key")),
		rvTest("json-big-epoch", "Json", "epoch 2^53+1", strings.Replace(setText, `"epoch":42`, `"epoch":9007199254740993`, 1), nil, nil,
			reject("malformed_json")),
		rvTest("json-truncated", "Json", "cut short", setText[:len(setText)/2], nil, nil, reject("malformed_json")),
		rvTest("json-not-object", "Json", "a bare array of ids", text([]any{rvRevoked1}), nil, nil, reject("malformed_json")),
		rvTest("json-too-large", "Json Options Boundary", "one byte over the limit", setText, nil,
			map[string]any{"limit": len(setText) - 1}, reject("input_too_large")),
		rvTest("json-at-limit", "Json Options Boundary Valid", "exactly at the limit", setText, nil,
			map[string]any{"limit": len(setText)}, rvOK(set, rvKID)),
	)

	// Keys.
	window := func(notBefore, notAfter string) string {
		return keyring(ringKey{kid: rvKID, name: "revocation-issuer", notBefore: notBefore, notAfter: notAfter})
	}
	add(
		rvTest("key-weak-in-ring", "Keyring", "the ring holds a small-order key", setText, nil,
			map[string]any{"keys": strings.Replace(spWeakRing(), publicB64("status-issuer"), publicB64("revocation-issuer"), 1)},
			keyringErr("weak_key")),
		rvTest("key-retired", "Keyring", "the key's not_after is before issued_at", setText, nil,
			map[string]any{"keys": window("", "2025-12-30T00:00:00Z")}, reject("key_not_valid")),
		rvTest("key-not-yet", "Keyring", "the key's not_before is after issued_at", setText, nil,
			map[string]any{"keys": window("2025-12-31T00:00:00Z", "")}, reject("key_not_valid")),
		rvTest("key-window-python-isoformat", "Keyring Valid PythonUTC", "a keyring whose not_before and not_after CPython's isoformat() wrote",
			setText, nil, map[string]any{"keys": window("2025-01-01T00:00:00+00:00", "2026-12-31T23:59:59.999999+00:00")}, rvOK(set, rvKID)),
		rvTest("key-window-lower-case-z", "Keyring", "a keyring whose not_after ends in a lower-case z is refused",
			setText, nil, map[string]any{"keys": window("", "2026-12-31T00:00:00z")}, keyringErr("invalid_field")),
		rvTest("suspension-until-offset-24", "Shape", "a suspension until with the offset +24:00",
			text(rvSigned(rvWith(rvSet(), map[string]any{"suspended": []any{map[string]any{"license_id": rvSuspended, "until": "2026-01-15T00:00:00+24:00"}}}))),
			nil, nil, reject("invalid_field")),
		rvTest("key-unknown", "Keyring", "issuer_kid the ring lacks",
			text(rvSigned(rvWith(rvSet(), map[string]any{"issuer_kid": "rv-2026"}))), nil, nil, reject("unknown_key")),
	)

	// Deltas.
	add(
		rvTest("delta-one", "Delta Valid Lookup", "42 → 43: one id revoked, one restored", setText, []string{text(d1)}, lookupAll,
			withLookups(rvClaims(d1, "ok", rvKID, 2, 1, false, true),
				lookup(rvRevoked1, "revoked", ""), lookup(rvRevoked2, "not_revoked", ""),
				lookup(rvSuspended, "suspended", rvUntil), lookup(rvClean, "not_revoked", ""))),
		rvTest("delta-python-isoformat", "Delta Valid Lookup Suspension PythonUTC",
			"42 → 43 → 45, the second delta's issued_at, valid_until and until as CPython's isoformat() writes them", setText,
			[]string{text(d1), text(d2py)}, map[string]any{"lookup": []string{rvNewSusp}},
			withLookups(rvClaims(d2py, "ok", rvKID, 2, 1, false, true), lookup(rvNewSusp, "suspended", "2026-01-10T00:00:00.000001Z"))),
		rvTest("delta-chain", "Delta Valid Lookup Suspension", "42 → 43 → 45: then a suspension lifted and another added", setText,
			[]string{text(d1), text(d2)}, map[string]any{"lookup": []string{rvRevoked1, rvRevoked2, rvAdded, rvSuspended, rvNewSusp}},
			withLookups(rvClaims(d2, "ok", rvKID, 2, 1, false, true),
				lookup(rvRevoked1, "revoked", ""), lookup(rvRevoked2, "not_revoked", ""), lookup(rvAdded, "revoked", ""),
				lookup(rvSuspended, "not_revoked", ""), lookup(rvNewSusp, "suspended", rvNewUntil))),
		rvTest("delta-out-of-order", "Delta", "the 43 → 45 delta applied to the set at 42", setText, []string{text(d2)}, nil,
			reject("delta_base_mismatch")),
		rvTest("delta-twice", "Delta", "the same delta applied twice", setText, []string{text(d1), text(d1)}, nil,
			reject("delta_base_mismatch")),
		rvTest("chain-ends-below-stored-epoch", "Delta Epoch", "42 → 43 with epoch 50 stored: the end of the chain is a rollback", setText, []string{text(d1)},
			map[string]any{"min_epoch": 50}, rvClaims(d1, "epoch_rollback", rvKID, 2, 1, false, false)),
		rvTest("chain-reaches-stored-epoch", "Delta Epoch Valid", "42 → 43 with epoch 43 stored (the epoch this chain gave before a restart): the base is below it, the end is not", setText, []string{text(d1)},
			map[string]any{"min_epoch": 43, "lookup": []string{rvAdded}}, withLookups(rvClaims(d1, "ok", rvKID, 2, 1, false, true), lookup(rvAdded, "revoked", ""))),
		rvTest("chain-of-two-reaches-stored-epoch", "Delta Epoch Valid", "42 → 43 → 45 with epoch 45 stored", setText, []string{text(d1), text(d2)},
			map[string]any{"min_epoch": 45}, rvClaims(d2, "ok", rvKID, 2, 1, false, true)),
		rvTest("chain-one-short-of-stored-epoch", "Delta Epoch", "42 → 43 → 45 with epoch 46 stored", setText, []string{text(d1), text(d2)},
			map[string]any{"min_epoch": 46}, rvClaims(d2, "epoch_rollback", rvKID, 2, 1, false, false)),
	)
	{
		dv := func(set map[string]any) map[string]any { return rvSigned(rvWith(rvDelta1(), set)) }
		deltaTest := func(id, flags, comment string, delta map[string]any, extra, expected map[string]any) {
			add(rvTest("delta-"+id, "Delta "+flags, comment, setText, []string{text(delta)}, extra, expected))
		}
		deltaTest("epoch-not-after-since", "", "epoch equal to since_epoch", dv(map[string]any{"epoch": 42}), nil, reject("invalid_field"))
		deltaTest("adds-revoked", "", "adds an id the set already revokes: computed from another base",
			dv(map[string]any{"added": []any{rvRevoked1}}), nil, reject("delta_base_mismatch"))
		deltaTest("removes-unknown", "", "removes an id the set does not list", dv(map[string]any{"removed": []any{rvClean}}), nil,
			reject("delta_base_mismatch"))
		deltaTest("added-and-removed", "Lists", "one id both added and removed", dv(map[string]any{"added": []any{rvRevoked2}}), nil,
			reject("invalid_field"))
		deltaTest("added-twice", "Lists", "an id added twice", dv(map[string]any{"added": []any{rvAdded, rvAdded}}), nil, reject("invalid_field"))
		deltaTest("added-empty-id", "Lists", "an empty id", dv(map[string]any{"added": []any{""}}), nil, reject("invalid_field"))
		escalate := dv(map[string]any{"added": []any{rvSuspended}, "removed": []any{}})
		deltaTest("revokes-suspended", "Valid Lookup Suspension", "a suspended id becomes revoked", escalate,
			map[string]any{"lookup": []string{rvSuspended}},
			withLookups(rvClaims(escalate, "ok", rvKID, 3, 0, false, true), lookup(rvSuspended, "revoked", "")))
		soften := dv(map[string]any{"added": []any{}, "removed": []any{},
			"suspended": []any{map[string]any{"license_id": rvRevoked1, "until": rvNewUntil}}})
		deltaTest("suspends-revoked", "Valid Lookup Suspension", "a revoked id becomes suspended until a date", soften,
			map[string]any{"lookup": []string{rvRevoked1}},
			withLookups(rvClaims(soften, "ok", rvKID, 1, 2, false, true), lookup(rvRevoked1, "suspended", rvNewUntil)))
		extend := dv(map[string]any{"added": []any{}, "removed": []any{},
			"suspended": []any{map[string]any{"license_id": rvSuspended, "until": "2026-02-01T00:00:00Z"}}})
		deltaTest("extends-suspension", "Valid Lookup Suspension", "a suspension's until replaced", extend,
			map[string]any{"lookup": []string{rvSuspended}},
			withLookups(rvClaims(extend, "ok", rvKID, 2, 1, false, true), lookup(rvSuspended, "suspended", "2026-02-01T00:00:00Z")))
		empty := dv(map[string]any{"added": []any{}, "removed": []any{}})
		deltaTest("empty", "Valid", "a delta that changes nothing but the epoch", empty, nil, rvClaims(empty, "ok", rvKID, 2, 1, false, true))
		deltaTest("expired", "Stale Boundary", "a fresh set and a delta whose valid_until is now: the chain ends stale",
			dv(map[string]any{"valid_until": rvNow}), nil, rvClaims(dv(map[string]any{"valid_until": rvNow}), "set_expired", rvKID, 2, 1, false, true))
		deltaTest("not-yet-valid", "NotYetValid", "the delta is issued 10 minutes after now",
			dv(map[string]any{"issued_at": "2025-12-30T16:10:00Z", "valid_until": "2025-12-30T17:10:00Z"}), nil, reject("not_yet_valid"))
		deltaTest("valid-until-before-issued", "Times", "valid_until before issued_at",
			dv(map[string]any{"valid_until": "2025-12-30T15:00:00Z"}), nil, reject("invalid_field"))
		stale := text(d1)
		add(rvTest("delta-stale-allowed", "Delta Stale Valid", "set and delta both past valid_until, stale allowed", setText, []string{stale},
			map[string]any{"now": "2025-12-30T16:45:00Z", "allow_stale": true}, rvClaims(d1, "ok", rvKID, 2, 1, true, true)))
		fresh := dv(map[string]any{"issued_at": "2025-12-30T16:31:00Z", "valid_until": "2025-12-30T17:31:00Z"})
		add(rvTest("chain-expired-base-fresh-delta", "Delta Stale Valid", "an expired set brought up to date by a fresh delta: freshness is decided at the end, stale sets not allowed",
			setText, []string{text(fresh)}, map[string]any{"now": "2025-12-30T16:35:00Z"}, rvClaims(fresh, "ok", rvKID, 2, 1, false, true)))
		d2late := rvSigned(rvWith(rvDelta2(), map[string]any{"valid_until": "2025-12-30T17:00:00Z"}))
		add(rvTest("chain-expired-middle", "Delta Stale Valid", "set and first delta expired, the last delta fresh", setText,
			[]string{text(d1), text(d2late)}, map[string]any{"now": "2025-12-30T16:45:00Z"}, rvClaims(d2late, "ok", rvKID, 2, 1, false, true)))
		add(rvTest("delta-refreshes-stale-set", "Delta Stale Valid", "a stale set (allowed) brought up to date by a fresh delta", setText,
			[]string{text(dv(map[string]any{"issued_at": "2025-12-30T16:31:00Z", "valid_until": "2025-12-30T17:31:00Z"}))},
			map[string]any{"now": "2025-12-30T16:35:00Z", "allow_stale": true},
			rvClaims(dv(map[string]any{"issued_at": "2025-12-30T16:31:00Z", "valid_until": "2025-12-30T17:31:00Z"}), "ok", rvKID, 2, 1, false, true)))
		tampered := clone(d1)
		tampered["removed"] = []any{}
		deltaTest("tampered", "Tamper", "a delta's removed list emptied after signing", tampered, nil, reject("bad_signature"))
		tamperedEpoch := clone(d1)
		tamperedEpoch["since_epoch"] = int64(41)
		deltaTest("tampered-since", "Tamper Order", "since_epoch forged: bad_signature, not delta_base_mismatch", tamperedEpoch, nil,
			reject("bad_signature"))
		deltaTest("unknown-key", "Keyring", "issuer_kid the ring lacks", dv(map[string]any{"issuer_kid": "rv-9"}), nil, reject("unknown_key"))
		deltaTest("no-kid", "Keyring Valid", "a delta without issuer_kid, as a set may have none: every ring key is tried",
			dv(map[string]any{"issuer_kid": nil}), nil, rvClaims(dv(map[string]any{"issuer_kid": nil}), "ok", rvKID, 2, 1, false, true))
		deltaTest("no-kid-foreign-key", "Keyring", "a delta without issuer_kid signed by a key outside the ring",
			sign(rvWith(rvDelta1(), map[string]any{"issuer_kid": nil}), "not-in-ring"), nil, reject("bad_signature"))
		deltaTest("no-added", "Shape", "a delta without added", dv(map[string]any{"added": nil}), nil, reject("missing_field"))
		deltaTest("removed-string", "Shape", "removed is a string", dv(map[string]any{"removed": rvRevoked2}), nil, reject("invalid_field"))
		deltaTest("since-negative", "Shape", "since_epoch -1", dv(map[string]any{"since_epoch": -1}), nil, reject("invalid_field"))
		deltaTest("signature-missing", "SignatureMissing", "an unsigned delta", rvDelta1(), nil, reject("signature_missing"))
		add(rvTest("delta-duplicate-key", "Delta Json", "a delta with removed twice", setText,
			[]string{`{"removed":[],` + text(d1)[1:]}, nil, reject("duplicate_key")))
		add(rvTest("delta-second-fails", "Delta Order", "the first delta applies, the second is forged: the result is the failure", setText,
			[]string{text(d1), text(rvWith(d2, map[string]any{"added": []any{rvRevoked1}}))}, nil, reject("bad_signature")))
	}
	return tests
}
