package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/pem"
	"log"
	"strings"

	"github.com/licverify/licverify/canonical"
)

// The forms topic: a signature over the Python form of a document
// (json.dumps(doc, sort_keys=True, separators=(',', ':'))) verifies as one
// over its RFC 8785 form does, in every format; a key may be limited to
// one form. The Python-form payloads are written by canonical.Python;
// testvectors' TestFormsSignedBytesAreCPython holds each signature to the
// bytes CPython's json.dumps writes for the same document, so no vector
// here rests on the writer under test.
func init() {
	register(topic{
		name: "forms",
		notes: map[string]string{
			"Python":  "signed over json.dumps(doc minus signature, sort_keys=True, separators=(',', ':')) with Python's defaults",
			"RFC8785": "signed over the RFC 8785 form",
			"Same":    "ASCII, integers only: both forms are the same bytes, verified once, reported as the first form allowed",
			"Differs": "non-ASCII text, a float or an astral name: the forms differ",
			"Tamper":  "a member changed after signing: bad_signature in either form",
			"KeyForm": "a key limited to some forms (keyring forms member, PEM Forms header)",
			"Format":  "a status proof, revocation set, delta, license.key or .qkey",
			"Keyring": "a keyring's forms member that does not load",
		},
		tests: formsTests,
	})
}

// signText signs the JSON object text doc, which has no signature member,
// in form f with the named key, and returns the text with the signature
// appended as its last member.
func signText(doc string, f canonical.Form, keyName string) string {
	payload, sig, err := canonical.SignedForm([]byte(doc), 0, f)
	if err != nil || sig != nil {
		log.Fatalf("forms: %q: %v (signature %q)", doc, err, sig)
	}
	s := base64.StdEncoding.EncodeToString(ed25519.Sign(privateKey(keyName), payload))
	end := strings.LastIndexByte(doc, '}')
	return doc[:end] + `,"signature":"` + s + `"}` + doc[end+1:]
}

// pyProof is a status proof as a Python issuer writes it: non-ASCII
// entitlements, a float, and two names that Python (code points) and
// RFC 8785 (UTF-16) sort apart. Its claims are those of spProof with
// these entitlements.
const pyProof = `{"license_id":"` + spLicense + `","status":"valid","checked_at":"` + spCheckedAt + `",` +
	`"valid_until":"` + spValidTo + `","revocation_epoch":42,"issuer_kid":"` + spKID + `",` +
	`"entitlements":["feature:café","seats:東京","tier:🔑"],"weight":5.0,"ratio":1e-07,"😀":1,"ﬁ":2}`

// pyProofEscaped is pyProof as json.dumps(indent=2) writes it: every
// character above U+007E escaped.
const pyProofEscaped = "{\n  \"license_id\": \"" + spLicense + "\",\n  \"status\": \"valid\",\n  \"checked_at\": \"" + spCheckedAt +
	"\",\n  \"valid_until\": \"" + spValidTo + "\",\n  \"revocation_epoch\": 42,\n  \"issuer_kid\": \"" + spKID + "\",\n" +
	`  "entitlements": ["feature:caf\u00e9", "seats:\u6771\u4eac", "tier:\ud83d\udd11"],` + "\n" +
	`  "weight": 5.0,` + "\n" + `  "ratio": 1e-07,` + "\n" + `  "\ud83d\ude00": 1,` + "\n" + `  "\ufb01": 2` + "\n}"

// asciiProof has one form: ASCII and integers only.
const asciiProof = `{"license_id":"` + spLicense + `","status":"valid","checked_at":"` + spCheckedAt + `",` +
	`"valid_until":"` + spValidTo + `","revocation_epoch":42,"issuer_kid":"` + spKID + `","entitlements":["feature:api"]}`

// floatProof differs from its RFC 8785 form in one float only.
const floatProof = `{"license_id":"` + spLicense + `","status":"valid","checked_at":"` + spCheckedAt + `",` +
	`"valid_until":"` + spValidTo + `","revocation_epoch":42,"issuer_kid":"` + spKID + `","entitlements":[],"quota":100.0}`

func formsTests() []test {
	var tests []test
	add := func(id, flags, comment string, req, exp map[string]any) {
		tests = append(tests, test{ID: "forms/" + id, Comment: comment, Flags: strings.Fields(flags), Request: req, Expected: exp})
	}
	proofOK := func(form string, ents ...any) map[string]any {
		p := spProof()
		p["entitlements"] = append([]any{}, ents...)
		e := spClaims(p, "ok", true)
		e["signed_form"] = form
		return e
	}
	pyEnts := []any{"feature:café", "seats:東京", "tier:🔑"}
	// ring is the status issuer's key with a forms member.
	ring := func(forms ...string) string {
		return text([]any{map[string]any{"kid": spKID, "alg": "ed25519", "public_key": publicB64("status-issuer"), "forms": forms}})
	}

	// Status proofs, in each of their three input forms.
	py := signText(pyProof, canonical.Python, "status-issuer")
	add("statusproof/python", "Python Differs Format", "a proof with non-ASCII entitlements, floats and astral names, signed in Python form",
		spRequest(py, nil), proofOK("python", pyEnts...))
	add("statusproof/python-escaped-text", "Python Differs Format", "the same proof as json.dumps(indent=2) writes it, \\u escapes and all: the same value, the same signature",
		spRequest(signText(pyProofEscaped, canonical.Python, "status-issuer"), nil), proofOK("python", pyEnts...))
	add("statusproof/python-wrapped", "Python Differs Format", "the Python-form proof inside the API wrapper",
		spRequest(`{"proof":`+py+`,"valid_until":"`+spValidTo+`"}`, nil), proofOK("python", pyEnts...))
	add("statusproof/python-compact", "Python Differs Format", "the Python-form proof as the compact base64 string",
		spRequest(base64.StdEncoding.EncodeToString([]byte(py)), nil), proofOK("python", pyEnts...))
	add("statusproof/python-wrapped-compact", "Python Differs Format", "the wrapper with the proof and its compact copy, both in Python form",
		spRequest(`{"proof":`+py+`,"compact":"`+base64.StdEncoding.EncodeToString([]byte(py))+`"}`, nil), proofOK("python", pyEnts...))
	add("statusproof/python-wrapped-compact-respelled", "Python Differs", "the wrapper's compact copy has 5 where the proof has 5.0: the same value in RFC 8785, another document in Python's form",
		spRequest(`{"proof":`+py+`,"compact":"`+base64.StdEncoding.EncodeToString([]byte(strings.Replace(py, "5.0", "5", 1)))+`"}`, nil),
		func() map[string]any {
			e := proofOK("python", pyEnts...)
			e["valid"], e["code"] = false, "invalid_field"
			delete(e, "store_epoch")
			return e
		}())
	add("statusproof/python-tampered", "Python Differs Tamper", "café changed to cafe after signing in Python form",
		spRequest(strings.Replace(py, "café", "cafe", 1), nil), spReject("bad_signature"))
	add("statusproof/python-float-tampered", "Python Differs Tamper", "5.0 changed to 5.5 after signing in Python form",
		spRequest(strings.Replace(py, "5.0", "5.5", 1), nil), spReject("bad_signature"))
	add("statusproof/python-float-respelled", "Python Differs", "5.0 respelled 5.00 after signing: the same value, so the same Python form",
		spRequest(strings.Replace(py, "5.0", "5.00", 1), nil), proofOK("python", pyEnts...))
	add("statusproof/python-float-as-integer", "Python Differs Tamper", "100.0 respelled 100 after signing: a Python int, not a float, so another Python form",
		spRequest(strings.Replace(signText(floatProof, canonical.Python, "status-issuer"), "100.0", "100", 1), nil), spReject("bad_signature"))
	add("statusproof/python-float-only", "Python Differs", "ASCII but for one float written 100.0, signed in Python form",
		spRequest(signText(floatProof, canonical.Python, "status-issuer"), nil), proofOK("python"))
	add("statusproof/rfc8785", "RFC8785 Differs", "the same proof signed in RFC 8785 form",
		spRequest(signText(pyProof, canonical.RFC8785, "status-issuer"), nil), proofOK("rfc8785", pyEnts...))
	add("statusproof/same-bytes", "Same", "an ASCII proof of integers, signed over its one form: reported as rfc8785, the first form",
		spRequest(signText(asciiProof, canonical.Python, "status-issuer"), nil), proofOK("rfc8785", "feature:api"))

	// Keys limited to forms.
	add("keyform/rfc8785-only-python-signed", "KeyForm Python Differs", "a key limited to rfc8785 does not verify a Python-form signature",
		spRequest(py, map[string]any{"keys": ring("rfc8785")}), spReject("bad_signature"))
	add("keyform/rfc8785-only-rfc8785-signed", "KeyForm RFC8785 Differs", "a key limited to rfc8785 verifies an RFC 8785 signature",
		spRequest(signText(pyProof, canonical.RFC8785, "status-issuer"), map[string]any{"keys": ring("rfc8785")}), proofOK("rfc8785", pyEnts...))
	add("keyform/python-only-rfc8785-signed", "KeyForm RFC8785 Differs", "a key limited to python does not verify an RFC 8785 signature where the forms differ",
		spRequest(signText(pyProof, canonical.RFC8785, "status-issuer"), map[string]any{"keys": ring("python")}), spReject("bad_signature"))
	add("keyform/python-only-same-bytes", "KeyForm Same", "a key limited to python verifies a document whose two forms are the same bytes, as python",
		spRequest(signText(asciiProof, canonical.RFC8785, "status-issuer"), map[string]any{"keys": ring("python")}), proofOK("python", "feature:api"))
	add("keyform/both-listed", "KeyForm Python Differs", "a key listing both forms is a key with the default",
		spRequest(py, map[string]any{"keys": ring("python", "rfc8785")}), proofOK("python", pyEnts...))
	std, _ := base64.StdEncoding.DecodeString(publicB64("status-issuer"))
	jwks := func(forms ...any) string {
		return text(map[string]any{"keys": []any{map[string]any{
			"kty": "OKP", "crv": "Ed25519", "kid": spKID, "x": base64.RawURLEncoding.EncodeToString(std), "forms": forms}}})
	}
	add("keyform/jwks-rfc8785-only", "KeyForm Python Differs", "a JWK with forms [rfc8785] does not verify a Python-form signature",
		spRequest(py, map[string]any{"keys": jwks("rfc8785")}), spReject("bad_signature"))
	add("keyform/jwks-python-only", "KeyForm Python Differs", "a JWK with forms [python] verifies it",
		spRequest(py, map[string]any{"keys": jwks("python")}), proofOK("python", pyEnts...))
	pemKey := func(forms string) string {
		h := map[string]string{"Kid": spKID}
		if forms != "" {
			h["Forms"] = forms
		}
		der := append([]byte{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00}, std...)
		return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: h, Bytes: der}))
	}
	add("keyform/pem-rfc8785-only", "KeyForm Python Differs", "a PEM key with the header Forms: rfc8785 does not verify a Python-form signature",
		spRequest(py, map[string]any{"keys": pemKey("rfc8785")}), spReject("bad_signature"))
	add("keyform/pem-both", "KeyForm Python Differs", "a PEM key with the header Forms: rfc8785, python verifies it",
		spRequest(py, map[string]any{"keys": pemKey("rfc8785, python")}), proofOK("python", pyEnts...))

	// Keyring forms members that do not load.
	for _, k := range []struct{ id, comment, keys string }{
		{"forms-empty", "an empty forms list: leave it out to allow every form", ring([]string{}...)},
		{"forms-unknown", "a form that is not one of the list", strings.Replace(ring("rfc8785"), "rfc8785", "php", 1)},
		{"forms-twice", "one form listed twice", ring("python", "python")},
		{"forms-not-array", "forms as a string", strings.Replace(ring("python"), `["python"]`, `"python"`, 1)},
		{"forms-upper-case", "form names are lower case", strings.Replace(ring("python"), "python", "Python", 1)},
		{"pem-forms-empty", "an empty PEM Forms header", pemKey(" ")},
		{"forms-capitalized-member", "a member Forms: a restriction is not lost to its spelling, as an unknown member would be", strings.Replace(ring("rfc8785"), `"forms"`, `"Forms"`, 1)},
		{"pem-forms-lower-case", "a PEM header forms: in lower case", strings.Replace(pemKey("rfc8785"), "Forms:", "forms:", 1)},
		{"pem-forms-twice", "two PEM Forms headers, which encoding/pem would fold into one", strings.Replace(pemKey("rfc8785"), "Forms: rfc8785\n", "Forms: rfc8785\nForms: python\n", 1)},
		{"jwks-forms-unknown", "a JWK forms member naming no form", jwks("jcs")},
	} {
		add("keyring/"+k.id, "Keyring KeyForm", k.comment, spRequest(asciiProof, map[string]any{"keys": k.keys}), keyringErr("invalid_field"))
	}

	// Revocation sets and deltas.
	pySet := `{"epoch":42,"revoked_ids":["` + rvRevoked1 + `","LIC-Zoë-0001"],"issued_at":"` + rvIssuedAt +
		`","valid_until":"` + rvValidTo + `","issuer_kid":"` + rvKID + `","suspended":[],"note":"Москва"}`
	setClaims := func(form string, d map[string]any, revoked int) map[string]any {
		e := rvClaims(d, "ok", rvKID, revoked, 0, false, true)
		e["signed_form"] = form
		return e
	}
	setMap := map[string]any{"epoch": 42, "issued_at": rvIssuedAt, "valid_until": rvValidTo}
	pySigned := signText(pySet, canonical.Python, "revocation-issuer")
	add("revocation/python-set", "Python Differs Format", "a revocation set with non-ASCII ids signed in Python form, looked up",
		rvRequest(pySigned, nil, map[string]any{"lookup": []string{"LIC-Zoë-0001"}}),
		withLookups(setClaims("python", setMap, 2), lookup("LIC-Zoë-0001", "revoked", "")))
	add("revocation/python-set-tampered", "Python Differs Tamper", "an id changed after signing in Python form",
		rvRequest(strings.Replace(pySigned, "Zoë", "Zoe", 1), nil, nil), spReject("bad_signature"))
	pyDelta := `{"epoch":43,"since_epoch":42,"added":["LIC-Müller-0002"],"removed":[],"issued_at":"2025-12-30T15:40:00Z",` +
		`"valid_until":"2025-12-30T16:40:00Z","issuer_kid":"` + rvKID + `"}`
	deltaMap := map[string]any{"epoch": 43, "issued_at": "2025-12-30T15:40:00Z", "valid_until": "2025-12-30T16:40:00Z"}
	add("revocation/python-delta-on-rfc8785-set", "Python Differs Format", "an RFC 8785 set and a Python-form delta: the claims name the last document's form",
		rvRequest(text(rvSigned(rvSet())), []string{signText(pyDelta, canonical.Python, "revocation-issuer")}, map[string]any{"lookup": []string{"LIC-Müller-0002"}}),
		withLookups(func() map[string]any {
			e := rvClaims(deltaMap, "ok", rvKID, 3, 1, false, true)
			e["signed_form"] = "python"
			return e
		}(), lookup("LIC-Müller-0002", "revoked", "")))
	add("revocation/rfc8785-delta-on-python-set", "RFC8785 Python Differs Format", "a Python-form set and an RFC 8785 delta",
		rvRequest(pySigned, []string{signText(pyDelta, canonical.RFC8785, "revocation-issuer")}, nil),
		func() map[string]any {
			e := rvClaims(deltaMap, "ok", rvKID, 3, 0, false, true)
			e["signed_form"] = "rfc8785"
			return e
		}())

	// license.key.
	lic := licDoc()
	lic["customer"] = map[string]any{"customer_id": "CUST-00192", "name": "Zoë Müller"}
	licText := text(lic)
	run := licRun{machine: licMachineA}
	licOK := licExpect(lic, run, licOutcome{decision: "run", locked: licMachineA})
	licOK["signed_form"] = "python"
	add("license/python", "Python Differs Format", "a license.key for Zoë Müller signed in Python form",
		run.request(signText(licText, canonical.Python, "license")), licOK)
	add("license/python-tampered", "Python Differs Tamper", "the customer's name changed after signing in Python form",
		run.request(strings.Replace(signText(licText, canonical.Python, "license"), "Zoë", "Zoe", 1)), licRejected("bad_signature"))

	// .qkey, plain and encrypted.
	qk := qkDoc()
	qk["user"] = "Zoë Müller"
	qk["features"] = []any{"core", "Pro", "🚀-launch"}
	qkText := text(qk)
	qkOK := qkExpect(qk, qkNow, true)
	qkOK["signed_form"] = "python"
	qkSigned := signText(qkText, canonical.Python, "qkey")
	add("qkey/python-plain", "Python Differs Format", "a plain .qkey for Zoë Müller with an emoji feature, signed in Python form",
		map[string]any{"op": "qkey", "keys": qkKeys, "now": qkNow, "qkey": qkSigned}, qkOK)
	add("qkey/python-encrypted", "Python Differs Format", "the same license encrypted with the default password",
		map[string]any{"op": "qkey", "keys": qkKeys, "now": qkNow, "qkey_b64": base64.StdEncoding.EncodeToString(qkEncrypt("forms python", []byte(qkSigned), "quantummeta"))}, qkOK)
	add("qkey/python-tampered", "Python Differs Tamper", "the user changed after signing in Python form",
		map[string]any{"op": "qkey", "keys": qkKeys, "now": qkNow, "qkey": strings.Replace(qkSigned, "Zoë", "Zoe", 1)}, qkRejected("bad_signature"))
	return tests
}
