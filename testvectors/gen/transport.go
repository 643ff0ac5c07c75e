package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// The transport topic pins what reaches the verifier: a document's exact
// bytes, whatever they are, and the request's options, refused rather
// than read loosely. Every runtime must give these answers for the same
// bytes, however it received them (bytes, a string, a file).
func init() {
	register(topic{
		name: "transport",
		notes: map[string]string{
			"NotUTF8":   "a document with a byte that is not UTF-8 where the signed text had U+FFFD: malformed_json, never repaired into the signed text",
			"Unicode":   "the same document with the real U+FFFD verifies: the signature covers non-ASCII text",
			"BOM":       "a byte order mark before a signed document: refused, never stripped",
			"Limit":     "a document padded with whitespace to exactly its size limit is accepted, one byte more is input_too_large, whatever the escaping",
			"TimeRange": "a signed date-time whose UTC instant leaves years 0000-9999: invalid_field, so that every result can be written",
			"Decision":  "a license refused before its evaluation still carries decision block and its code as the reason",
			"Misuse":    "a request every runtime refuses as a bad request: an empty or non-UTF-8 option, a limit above the op's default or not positive, an integer beyond 2^53, a lone surrogate in an option, a loose time",
			"Keyring":   "the keyring travels as bytes too",
			"Count":     "a frame holds at most the parts ops.json allows (deltas: max_items 4096): at the bound the chain is verified, one part more is a bad request before any part is read",
		},
		tests: transportTests,
	})
}

// fffd is the UTF-8 of U+FFFD, and ff the byte an attacker swaps in.
const fffd = "\uFFFD"

// notUTF8 replaces the first U+FFFD of text with the byte FF: the bytes a
// repairing decoder would turn back into the signed text.
func notUTF8(text string) []byte {
	if !strings.Contains(text, fffd) {
		panic("notUTF8: no U+FFFD in " + text)
	}
	return []byte(strings.Replace(text, fffd, "\xff", 1))
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// trTest is a transport vector.
func trTest(id, flags, comment string, request map[string]any, expected map[string]any) test {
	return test{ID: "transport/" + id, Comment: comment, Flags: strings.Fields(flags), Request: request, Expected: expected}
}

// misuse is the expectation of a refused request.
var misuse = map[string]any{"error": "bad_request"}

// raw is a header member written as this exact JSON text (a lone surrogate
// escape that encoding/json cannot write from a Go string).
func raw(text string) json.RawMessage { return json.RawMessage(text) }

func transportTests() []test {
	var tests []test
	add := func(t ...test) { tests = append(tests, t...) }
	with := func(req map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range req {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(out, kv[i].(string))
			} else {
				out[kv[i].(string)] = kv[i+1]
			}
		}
		return out
	}

	// Status proofs.
	noted := spSigned(spWith(map[string]any{"note": "x" + fffd + "y"}))
	notedText := text(noted)
	proof := spRequest(text(spSigned(spProof())), nil)
	add(
		trTest("proof/unicode", "Unicode", "a proof whose unknown member note holds U+FFFD, as signed",
			spRequest(notedText, nil), spClaims(noted, "ok", true)),
		trTest("proof/not-utf8", "NotUTF8", "the same proof with the byte FF in place of U+FFFD's EF BF BD",
			with(spRequest("", nil), "proof", nil, "proof_b64", b64(notUTF8(notedText))), spReject("malformed_json")),
		trTest("proof/bom", "BOM", "EF BB BF before a genuine proof", spRequest("\uFEFF"+text(spSigned(spProof())), nil),
			spReject("malformed_json")),
	)
	{
		// A proof padded to exactly the 1 MiB limit, and one byte over.
		base := spSigned(spProof())
		at := spTest("", "", "", text(base), nil, nil)
		at.ID, at.Flags, at.Comment = "transport/proof/at-limit", []string{"Limit"}, "a genuine proof padded with tabs to exactly 1 MiB (1,048,576 bytes)"
		at.Expected, at.Pad = spClaims(base, "ok", true), &pad{Member: "proof", To: 1 << 20}
		over := at
		over.ID, over.Comment = "transport/proof/over-limit", "the same proof padded to 1 MiB + 1 byte"
		over.Expected, over.Pad = spReject("input_too_large"), &pad{Member: "proof", To: 1<<20 + 1}
		escaped := spSigned(spWith(map[string]any{"note": strings.Repeat(`"`, 2000)}))
		add(at, over,
			trTest("proof/escaped", "Limit", "a proof whose note is 2,000 quotes, each escaped in the signed text",
				spRequest(text(escaped), nil), spClaims(escaped, "ok", true)))
	}
	{
		early := spSigned(spWith(map[string]any{"checked_at": "0000-01-01T00:00:00+00:01"}))
		late := spSigned(spWith(map[string]any{"valid_until": "9999-12-31T23:59:59-01:00"}))
		add(
			trTest("proof/checked-at-before-year-0", "TimeRange", "checked_at 0000-01-01T00:00:00+00:01 is 31 December of year -1 in UTC",
				spRequest(text(early), nil), spReject("invalid_field")),
			trTest("proof/valid-until-after-year-9999", "TimeRange", "valid_until 9999-12-31T23:59:59-01:00 is in year 10000 in UTC",
				spRequest(text(late), nil), spReject("invalid_field")),
			trTest("proof/keyring-window-after-year-9999", "TimeRange Keyring", "a keyring whose not_after is in year 10000 in UTC is refused",
				with(proof, "keys", keyring(ringKey{kid: spKID, name: "status-issuer", notAfter: "9999-12-31T23:59:59-01:00"})), keyringErr("invalid_field")),
			trTest("proof/keyring-not-utf8", "Keyring NotUTF8", "a keyring with a byte that is not UTF-8",
				with(proof, "keys", nil, "keys_b64", b64(notUTF8(strings.Replace(spRing(), `"kid":"ql-api-v1"`, `"kid":"ql-api-v1","note":"`+fffd+`"`, 1)))),
				keyringErr("malformed_json")),
		)
	}
	{
		// Bounded keyrings: 1 MiB in every form, at most 64 keys.
		many := make([]ringKey, 65)
		for i := range many {
			many[i] = ringKey{kid: fmt.Sprintf("k%02d", i), name: fmt.Sprintf("many-%02d", i)}
		}
		add(trTest("proof/keyring-65-keys", "Keyring", "a keyring of 65 keys: at most 64, so a document without a kid costs at most 64 signature checks",
			with(proof, "keys", keyring(many...)), keyringErr("invalid_field")))
		at := trTest("proof/keyring-at-limit", "Keyring Limit", "the keyring padded with tabs to exactly 1 MiB", proof, spClaims(spSigned(spProof()), "ok", true))
		at.Pad = &pad{Member: "keys", To: 1 << 20}
		over := trTest("proof/keyring-over-limit", "Keyring Limit", "the keyring padded to 1 MiB + 1 byte", proof, keyringErr("input_too_large"))
		over.Pad = &pad{Member: "keys", To: 1<<20 + 1}
		add(at, over)
	}
	add(
		trTest("proof/fingerprint-empty", "Misuse", "an empty fingerprint is not an absent one", with(proof, "fingerprint", ""), misuse),
		trTest("proof/fingerprint-not-utf8", "Misuse NotUTF8", "a fingerprint that is not UTF-8",
			with(proof, "fingerprint_b64", b64(notUTF8(`{"host":"`+fffd+`"}`))), misuse),
		trTest("proof/fingerprint-not-object", "Misuse", "a fingerprint that is not a JSON object", with(proof, "fingerprint", `["a"]`), misuse),
		trTest("proof/limit-zero", "Misuse", "limit 0", with(proof, "limit", 0), misuse),
		trTest("proof/limit-above-default", "Misuse", "a limit may only lower the 1 MiB default", with(proof, "limit", 1<<20+1), misuse),
		trTest("proof/min-epoch-above-2^53", "Misuse", "min_epoch 2^53 + 1", with(proof, "min_epoch", raw("9007199254740993")), misuse),
		trTest("proof/min-epoch-fraction", "Misuse", "min_epoch 1.0 is not an integer member", with(proof, "min_epoch", raw("1.0")), misuse),
		trTest("proof/license-id-surrogate", "Misuse", `license_id "lic-\ud800": a lone surrogate escape is refused, never read as U+FFFD`,
			with(proof, "license_id", raw(`"lic-\ud800"`)), misuse),
		trTest("proof/license-id-null", "Misuse", "license_id null", with(proof, "license_id", raw("null")), misuse),
		trTest("proof/now-one-digit-hour", "Misuse", "now 2026-06-15T9:00:00Z", with(proof, "now", "2026-06-15T9:00:00Z"), misuse),
		trTest("proof/now-lower-case", "Misuse", "now with a lower-case t and z", with(proof, "now", "2025-12-31t00:00:00z"), misuse),
		trTest("proof/now-offset-24", "Misuse", "now with the offset +24:00", with(proof, "now", "2025-12-31T00:00:00+24:00"), misuse),
		trTest("proof/now-leap-second", "Misuse", "now at second 60", with(proof, "now", "2025-12-31T23:59:60Z"), misuse),
		trTest("proof/now-ten-fraction-digits", "Misuse", "now with 10 fraction digits", with(proof, "now", "2025-12-31T00:00:00.0123456789Z"), misuse),
		trTest("proof/now-year-10000", "Misuse TimeRange", "now in year 10000 in UTC", with(proof, "now", "9999-12-31T23:59:59-01:00"), misuse),
		trTest("proof/unknown-member", "Misuse", "a misspelt option", with(proof, "minepoch", 1), misuse),
		trTest("proof/document-twice", "Misuse", "the proof as text and as base64", with(proof, "proof_b64", b64([]byte("{}"))), misuse),
	)

	// Revocation sets and deltas.
	odd := rvSigned(rvWith(rvSet(), map[string]any{"revoked_ids": []any{rvRevoked1, "lic-" + fffd}}))
	oddText := text(odd)
	set := rvRequest(text(rvSigned(rvSet())), nil, nil)
	add(
		trTest("set/unicode-id", "Unicode", "a set revoking lic-U+FFFD, as signed",
			rvRequest(oddText, nil, map[string]any{"lookup": []string{"lic-" + fffd}}),
			withLookups(rvOK(odd, rvKID), lookup("lic-"+fffd, "revoked", ""))),
		trTest("set/not-utf8", "NotUTF8", "the same set with FF in place of U+FFFD in the revoked id",
			with(rvRequest("", nil, nil), "set", nil, "set_b64", b64(notUTF8(oddText))), spReject("malformed_json")),
		trTest("set/bom", "BOM", "EF BB BF before a genuine set", rvRequest("\uFEFF"+text(rvSigned(rvSet())), nil, nil), spReject("malformed_json")),
		trTest("set/delta-bom", "BOM", "EF BB BF before a genuine delta",
			rvRequest(text(rvSigned(rvSet())), []string{"\uFEFF" + text(rvSigned(rvDelta1()))}, nil), spReject("malformed_json")),
		trTest("set/lookup-surrogate", "Misuse", `a lookup of "lic-\ud800" is refused, never taken for lic-U+FFFD`,
			with(rvRequest(oddText, nil, nil), "lookup", raw(`["lic-\ud800"]`)), misuse),
		trTest("set/lookup-null-element", "Misuse", "a null among the lookup ids is refused, never looked up as \"\"",
			with(rvRequest(oddText, nil, nil), "lookup", raw(`["lic-1",null]`)), misuse),
		trTest("set/lookup-empty-element", "Misuse", "an empty lookup id is refused: no license id is empty, and an unset variable must not read as not revoked",
			with(rvRequest(oddText, nil, nil), "lookup", []string{"lic-1", ""}), misuse),
		trTest("set/limit-above-default", "Misuse", "a limit may only lower the 64 MiB default", with(set, "limit", 64<<20+1), misuse),
		trTest("set/allow-stale-string", "Misuse", "allow_stale \"true\"", with(set, "allow_stale", "true"), misuse),
	)
	{
		until := rvSigned(rvWith(rvSet(), map[string]any{"suspended": []any{map[string]any{"license_id": rvSuspended, "until": "9999-12-31T23:59:59-01:00"}}}))
		add(trTest("set/until-after-year-9999", "TimeRange", "a suspension until 9999-12-31T23:59:59-01:00, in year 10000 in UTC",
			rvRequest(text(until), nil, map[string]any{"lookup": []string{rvSuspended, rvClean}}), spReject("invalid_field")))
	}
	{
		base := rvSigned(rvSet())
		at := rvTest("", "", "", text(base), nil, map[string]any{"lookup": []string{rvRevoked1}},
			withLookups(rvOK(base, rvKID), lookup(rvRevoked1, "revoked", "")))
		at.ID, at.Flags, at.Comment = "transport/set/at-limit", []string{"Limit"}, "a genuine set padded with tabs to exactly 64 MiB (67,108,864 bytes)"
		at.Pad = &pad{Member: "set", To: 64 << 20}
		over := rvTest("", "", "", text(base), nil, nil, spReject("input_too_large"))
		over.ID, over.Flags, over.Comment = "transport/set/over-limit", []string{"Limit"}, "the same set padded to 64 MiB + 1 byte"
		over.Pad = &pad{Member: "set", To: 64<<20 + 1}
		add(at, over)
	}
	{
		// Empty deltas: the first is malformed_json once the set has
		// verified, so a chain at the bound is answered, not refused.
		empty := func(n int) []string { return make([]string, n) }
		setText := text(rvSigned(rvSet()))
		add(
			trTest("set/deltas-at-limit", "Count", "a genuine set and 4,096 empty deltas, the most a request holds: delta 0 is malformed_json",
				rvRequest(setText, empty(4096), nil), spReject("malformed_json")),
			trTest("set/deltas-over-limit", "Count Misuse", "the same with 4,097 empty deltas: a bad request, whatever the deltas hold",
				rvRequest(setText, empty(4097), nil), misuse),
		)
	}

	// license.key.
	named := licWith(licDoc(), "customer.name", "DM Sphere Pharmacy "+fffd+" Limited")
	namedText := text(sign(named, "license"))
	lic := licRun{machine: licMachineA}.request(text(sign(licDoc(), "license")))
	add(
		trTest("license/not-utf8", "NotUTF8 Decision", "a license whose customer.name has FF in place of U+FFFD",
			with(licRun{machine: licMachineA}.request(""), "license", nil, "license_b64", b64(notUTF8(namedText))), licRejected("malformed_json")),
		trTest("license/bom", "BOM Decision", "EF BB BF before a genuine license.key",
			licRun{machine: licMachineA}.request("\uFEFF"+text(sign(licDoc(), "license"))), licRejected("malformed_json")),
		trTest("license/forged-decision", "Decision", "a forged license: valid false, decision block, reasons [bad_signature]",
			licRun{machine: licMachineA}.request(strings.Replace(text(sign(licDoc(), "license")), `"ACTIVE"`, `"REVOKED"`, 1)), licRejected("bad_signature")),
		trTest("license/alg-none-decision", "Decision", `signature_alg "none": decision block before any evaluation`,
			licRun{machine: licMachineA}.request(text(sign(licWith(licDoc(), "signature_alg", "none"), "license"))), licRejected("unsupported_alg")),
		trTest("license/fingerprint-hash-empty", "Misuse", "an empty fingerprint_hash is not an absent one", with(lic, "fingerprint_hash", ""), misuse),
		trTest("license/product-id-empty", "Misuse", "an empty product_id", with(lic, "product_id", ""), misuse),
		trTest("license/release-date-date-only", "Misuse", "release_date 2026-01-01 is not a date-time", with(lic, "release_date", "2026-01-01"), misuse),
	)

	// The canonicalize op.
	canon := func(doc string) map[string]any { return map[string]any{"op": "canonicalize", "document": doc} }
	add(
		trTest("canonical/not-utf8", "NotUTF8", `{"k":"<FF>"}: 9 bytes, malformed_json at any limit`,
			map[string]any{"op": "canonicalize", "document_b64": b64([]byte("{\"k\":\"\xff\"}"))}, spReject("malformed_json")),
		trTest("canonical/bom", "BOM", "a byte order mark before {}", canon("\uFEFF{}"), spReject("malformed_json")),
		trTest("canonical/limit-zero", "Misuse", "limit 0 is misuse, not the default", with(canon("{}"), "limit", 0), misuse),
		trTest("canonical/limit-negative", "Misuse", "a negative limit", with(canon("{}"), "limit", -1), misuse),
		trTest("canonical/limit-above-default", "Misuse", "a limit above the 1 MiB default", with(canon("{}"), "limit", 1<<20+1), misuse),
	)
	{
		// Tabs are escaped in a JSON string (two bytes each), so a request
		// of ABI 1 could not carry this document at its limit.
		at := trTest("canonical/at-limit", "Limit", "{} padded with tabs to exactly 1 MiB", canon("{}"),
			map[string]any{"valid": true, "code": "ok", "canonical": "{}"})
		at.Pad = &pad{Member: "document", To: 1 << 20}
		add(at)
	}

	// .qkey options.
	qk := map[string]any{"op": "qkey", "keys": qkKeys, "now": qkNow, "qkey_b64": b64([]byte(text(sign(qkDoc(), "qkey"))))}
	add(
		trTest("qkey/limit-zero", "Misuse", "limit 0 is misuse, not the default", with(qk, "limit", 0), misuse),
		trTest("qkey/limit-above-default", "Misuse", "a limit above the 1 MiB default", with(qk, "limit", 1<<20+1), misuse),
		trTest("qkey/machine-id-empty", "Misuse", "an empty machine_id is not an absent one", with(qk, "machine_id", ""), misuse),
	)

	// The stateful ops refuse what the one-shot ones refuse.
	add(
		trTest("lookup/unknown-handle", "Misuse", "a handle no load returned", map[string]any{"op": "revocation_lookup", "handle": 987654, "now": rvNow, "ids": []string{"a"}}, misuse),
		trTest("lookup/ids-surrogate", "Misuse", "an id holding a lone surrogate escape", map[string]any{"op": "revocation_lookup", "handle": 987654, "now": rvNow, "ids": raw(`["\udc00"]`)}, misuse),
		trTest("lookup/ids-null", "Misuse", "a null id is refused, never looked up as \"\"", map[string]any{"op": "revocation_lookup", "handle": 987654, "now": rvNow, "ids": raw(`[null]`)}, misuse),
		trTest("lookup/ids-empty", "Misuse", "an empty id is refused", map[string]any{"op": "revocation_lookup", "handle": 987654, "now": rvNow, "ids": []string{""}}, misuse),
		trTest("load/limit-zero", "Misuse", "revocation_load with limit 0", with(set, "op", "revocation_load", "limit", 0), misuse),
	)
	for i := range tests {
		if bytes.Contains([]byte(tests[i].ID), []byte(" ")) {
			panic("space in id " + tests[i].ID)
		}
	}
	return tests
}
