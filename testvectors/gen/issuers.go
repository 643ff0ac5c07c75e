package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"flag"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/gowebpki/jcs"
)

// The issuers topic runs documents that real producers wrote, kept as
// files under issuers/: quantummeta/ holds .qkey licenses made by
// quantummeta-license's own functions (quantummeta/issue.py), recipes/out/
// what each recipe of docs/issuers.md writes. Each directory's
// manifest.json says what its issuer was told; the expected results are
// derived from that by the rules of formats.md, never from the verifier.
// The files themselves are only read to check that they hold what the
// manifest says, and to name the form their signature covers.
func init() {
	register(topic{
		name: "issuers",
		notes: map[string]string{
			"QuantumMeta": ".qkey licenses written by quantummeta-license 1.1.1's own functions (issuers/quantummeta/issue.py)",
			"Recipe":      "a status proof written by a recipe of docs/issuers.md (issuers/recipes/)",
			"PythonForm":  "signed over Python's json.dumps(sort_keys=True, separators=(',', ':')) with its other defaults: the python form",
			"RFC8785":     "signed over the RFC 8785 form",
			"BothForms":   "ASCII text and no floats: the Python form and the RFC 8785 form are the same bytes",
			"Encrypted":   "encrypted by the issuer (salt, nonce, tag, ciphertext)",
			"Plain":       "the issuer's JSON text, not encrypted",
			"Password":    "encrypted with a password other than quantummeta",
			"Unsigned":    "written without a signature",
			"Tamper":      "one member changed after signing (in a .qkey file, by the package's own functions)",
			"Match":       "the expected package and machine id given",
			"Time":        "expired at the vectors' now",
		},
		tests: issuerTests,
	})
}

var issuersDir = flag.String("issuers", "issuers", "directory of the issuers' files and manifests")

const (
	issNow      = "2026-03-01T12:00:00Z" // for the .qkey licenses
	issProofNow = "2026-03-02T00:00:00Z" // for the recipes' status proof
)

func issuerTests() []test {
	return append(quantumMetaTests(), recipeTests()...)
}

// readStrict decodes a manifest, refusing members it does not know.
func readStrict(name string, v any) {
	data, err := os.ReadFile(filepath.Join(*issuersDir, name))
	if err != nil {
		log.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		log.Fatalf("%s: %v", name, err)
	}
}

func readIssuerFile(name string) []byte {
	data, err := os.ReadFile(filepath.Join(*issuersDir, name))
	if err != nil {
		log.Fatal(err)
	}
	return data
}

// signedForm names the form a genuine document's signature covers, as the
// verifier reports it: the forms are tried in the order rfc8785, python,
// so a document whose two forms are the same bytes reports rfc8785. The
// RFC 8785 bytes come from github.com/gowebpki/jcs, not from the package
// under test; a document that claims another form must verify over the
// payload its issuer is recorded to have signed.
func signedForm(file string, doc []byte, pub ed25519.PublicKey, claimed string, payload []byte) string {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(doc, &members); err != nil {
		log.Fatalf("%s: %v", file, err)
	}
	sig, err := base64.StdEncoding.DecodeString(strings.Trim(string(members["signature"]), `"`))
	if err != nil || len(sig) != ed25519.SignatureSize {
		log.Fatalf("%s: signature %s", file, members["signature"])
	}
	if ed25519.Verify(pub, jcsWithout(file, members, "signature"), sig) {
		return "rfc8785"
	}
	if claimed == "rfc8785" {
		log.Fatalf("%s: not signed over its RFC 8785 form", file)
	}
	if payload != nil && !ed25519.Verify(pub, payload, sig) {
		log.Fatalf("%s: the recorded payload does not verify", file)
	}
	return claimed
}

// jcsWithout is the RFC 8785 form of an object less one member.
func jcsWithout(file string, members map[string]json.RawMessage, drop string) []byte {
	rest := make(map[string]json.RawMessage, len(members))
	for k, v := range members {
		if k != drop {
			rest[k] = v
		}
	}
	b, err := json.Marshal(rest)
	if err == nil {
		b, err = jcs.Transform(b)
	}
	if err != nil {
		log.Fatalf("%s: %v", file, err)
	}
	return b
}

func issRing(kid, publicKey string) string {
	return text([]any{map[string]any{"kid": kid, "alg": "ed25519", "public_key": publicKey}})
}

func issPublic(b64 string) ed25519.PublicKey {
	pub, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		log.Fatalf("public key %q", b64)
	}
	return pub
}

// qmManifest is quantummeta/manifest.json, as issue.py writes it.
type qmManifest struct {
	Issuer          string   `json:"issuer"`
	Form            string   `json:"form"`
	PublicKey       string   `json:"public_key"`
	DefaultPassword string   `json:"default_password"`
	Files           []qmFile `json:"files"`
}

type qmFile struct {
	File   string `json:"file"`
	MadeBy string `json:"made_by"`
	// What the issuer was told: create_license's arguments and clock, or
	// the document given to sign_license.
	CreateLicense *struct {
		Package      string   `json:"package"`
		User         string   `json:"user"`
		MachineID    string   `json:"machine_id"`
		Features     []string `json:"features"`
		ValidityDays int      `json:"validity_days"`
		Now          string   `json:"now"`
	} `json:"create_license"`
	SignLicense   map[string]any `json:"sign_license"`
	Password      *string        `json:"password"`
	Encrypted     bool           `json:"encrypted"`
	SignedPayload *string        `json:"signed_payload"`
	Tampered      *struct {
		Member string `json:"member"`
		Value  any    `json:"value"`
	} `json:"tampered"`
}

// pyISO is Python's datetime.isoformat() of a naive time.
func pyISO(t time.Time) string {
	if t.Nanosecond() != 0 {
		return t.Format("2006-01-02T15:04:05.000000")
	}
	return t.Format("2006-01-02T15:04:05")
}

// told is the license the issuer was asked for: create_license lower-cases
// and strips the package, strips the user, and takes issued from its clock
// and expires that many days later; sign_license signs the document as
// given. Only ASCII packages and users without surrounding space are
// used, where Python's lower() and strip() agree with the format's rules.
func (f qmFile) told() map[string]any {
	if c := f.CreateLicense; c != nil {
		for _, r := range c.Package {
			if r >= 0x80 {
				log.Fatalf("%s: non-ASCII package %q", f.File, c.Package)
			}
		}
		if strings.TrimSpace(c.User) != c.User {
			log.Fatalf("%s: user %q has surrounding space", f.File, c.User)
		}
		now, err := time.Parse("2006-01-02T15:04:05.999999", c.Now)
		if err != nil {
			log.Fatalf("%s: now %q", f.File, c.Now)
		}
		features := make([]any, len(c.Features))
		for i, s := range c.Features {
			features[i] = s
		}
		return map[string]any{
			"package": strings.ToLower(strings.TrimSpace(c.Package)), "user": c.User, "machine_id": c.MachineID,
			"issued": pyISO(now), "expires": pyISO(now.AddDate(0, 0, c.ValidityDays)), "features": features,
		}
	}
	if f.SignLicense == nil {
		log.Fatalf("%s: neither create_license nor sign_license", f.File)
	}
	return f.SignLicense
}

// qmOpen decrypts a .qkey file as formats.md describes it.
func qmOpen(file string, data []byte, password string) []byte {
	if len(data) < 44 {
		log.Fatalf("%s: %d bytes", file, len(data))
	}
	sealed := append(append([]byte{}, data[44:]...), data[28:44]...) // ciphertext ‖ tag
	plain, err := qkGCM(data[:16], password).Open(nil, data[16:28], sealed, nil)
	if err != nil {
		log.Fatalf("%s: %v", file, err)
	}
	return plain
}

// qmCheck requires the document to hold what the issuer was told, with
// the one change a tampered file records.
func qmCheck(f qmFile, doc []byte, want map[string]any) {
	var got map[string]any
	if err := json.Unmarshal(doc, &got); err != nil {
		log.Fatalf("%s: %v", f.File, err)
	}
	_, signed := got["signature"]
	if signed != (f.SignedPayload != nil) {
		log.Fatalf("%s: signature present %v, signed_payload %v", f.File, signed, f.SignedPayload != nil)
	}
	delete(got, "signature")
	if f.Tampered != nil {
		if reflect.DeepEqual(got[f.Tampered.Member], want[f.Tampered.Member]) || !reflect.DeepEqual(got[f.Tampered.Member], f.Tampered.Value) {
			log.Fatalf("%s: %s is %v, not changed to %v", f.File, f.Tampered.Member, got[f.Tampered.Member], f.Tampered.Value)
		}
		got[f.Tampered.Member] = want[f.Tampered.Member]
	}
	if !reflect.DeepEqual(got, want) {
		log.Fatalf("%s: holds\n%v\nnot what the manifest says\n%v", f.File, got, want)
	}
}

// qmResult applies the use checks of formats.md (.qkey step 5) that these
// vectors reach: the expected package and machine id, then the times.
func qmResult(doc map[string]any, signed bool, form string, opts map[string]any) map[string]any {
	exp := qkExpect(doc, issNow, signed)
	if form != "" {
		exp["signed_form"] = form
	}
	if p, ok := opts["package"].(string); ok && qkLower(strings.TrimSpace(p)) != exp["package"] {
		return qkCode(exp, "product_mismatch")
	}
	if m, ok := opts["machine_id"].(string); ok && qkLower(m) != exp["machine_id"] {
		return qkCode(exp, "device_mismatch")
	}
	now := licTime(issNow)
	if qkTime(doc["issued"].(string)).After(now.Add(5 * time.Minute)) {
		return qkCode(exp, "not_yet_valid")
	}
	if !now.Before(qkTime(doc["expires"].(string))) {
		return qkCode(exp, "expired")
	}
	return exp
}

func quantumMetaTests() []test {
	var m qmManifest
	readStrict("quantummeta/manifest.json", &m)
	if m.Form != "python" || m.DefaultPassword != "quantummeta" {
		log.Fatalf("quantummeta/manifest.json: form %q, default password %q", m.Form, m.DefaultPassword)
	}
	pub := issPublic(m.PublicKey)
	ring := issRing("quantummeta", m.PublicKey)
	var tests []test
	add := func(f qmFile, suffix, comment string, flags []string, data []byte, opts, expected map[string]any) {
		req := map[string]any{"op": "qkey", "keys": ring, "now": issNow, "qkey_b64": base64.StdEncoding.EncodeToString(data)}
		for k, v := range opts {
			req[k] = v
		}
		id := "issuers/quantummeta/" + f.File + suffix
		tests = append(tests, test{ID: id, Comment: comment, Flags: append([]string{"QuantumMeta"}, flags...), Request: req, Expected: expected})
	}
	for _, f := range m.Files {
		data := readIssuerFile("quantummeta/" + f.File)
		doc, password, flags := data, m.DefaultPassword, []string{"Plain"}
		if f.Encrypted {
			flags = []string{"Encrypted"}
			if f.Password != nil {
				password = *f.Password
				flags = append(flags, "Password")
			}
			doc = qmOpen(f.File, data, password)
		}
		want := f.told()
		qmCheck(f, doc, want)
		var opts map[string]any
		if password != m.DefaultPassword {
			opts = map[string]any{"password": password}
		}
		comment := f.File + ": " + f.MadeBy
		switch {
		case f.Tampered != nil:
			add(f, "", comment+" ("+f.Tampered.Member+" changed after signing)", append(flags, "Tamper", "PythonForm"), data, opts, qkRejected("bad_signature"))
		case f.SignedPayload == nil:
			add(f, "", comment, append(flags, "Unsigned"), data, opts, qkRejected("signature_missing"))
			add(f, "/allowed", comment+", unsigned allowed", append(flags, "Unsigned"), data,
				map[string]any{"allow_unsigned": true}, qmResult(want, false, "", nil))
		default:
			form := signedForm(f.File, doc, pub, m.Form, []byte(*f.SignedPayload))
			formFlag := map[string]string{"rfc8785": "BothForms", "python": "PythonForm"}[form]
			exp := qmResult(want, true, form, opts)
			if exp["code"] == "expired" {
				flags = append(flags, "Time")
			}
			add(f, "", comment, append(flags, formFlag), data, opts, exp)
			if f.Password != nil {
				add(f, "/default-password", comment+", opened with the default password", append(flags, formFlag), data, nil, qkRejected("decrypt_failed"))
			}
			if want["machine_id"] != qkLower(want["machine_id"].(string)) {
				match := map[string]any{"package": "  " + strings.ToUpper(want["package"].(string)) + " ", "machine_id": qkLower(want["machine_id"].(string))}
				add(f, "/match", comment+", the package expected in upper case, the machine id in lower case",
					append(flags, formFlag, "Match"), data, match, qmResult(want, true, form, match))
			}
		}
	}
	return tests
}

// recipeManifest is recipes/manifest.json.
type recipeManifest struct {
	About     string         `json:"about"`
	KID       string         `json:"kid"`
	PublicKey string         `json:"public_key"`
	Document  map[string]any `json:"document"`
	Recipes   []struct {
		Recipe   string  `json:"recipe"`
		Language string  `json:"language"`
		Out      *string `json:"out"`
		Form     string  `json:"form"`
		Untested string  `json:"untested"`
	} `json:"recipes"`
}

func recipeTests() []test {
	var m recipeManifest
	readStrict("recipes/manifest.json", &m)
	pub := issPublic(m.PublicKey)
	ring := issRing(m.KID, m.PublicKey)
	want, err := json.Marshal(m.Document)
	if err == nil {
		want, err = jcs.Transform(want)
	}
	if err != nil {
		log.Fatal(err)
	}
	var tests []test
	for _, r := range m.Recipes {
		if r.Out == nil {
			if r.Untested == "" {
				log.Fatalf("recipes/manifest.json: %s writes nothing and does not say why", r.Recipe)
			}
			continue
		}
		proof := readIssuerFile("recipes/" + *r.Out)
		var members map[string]json.RawMessage
		if err := json.Unmarshal(proof, &members); err != nil {
			log.Fatalf("%s: %v", *r.Out, err)
		}
		if got := jcsWithout(*r.Out, members, "signature"); !bytes.Equal(got, want) {
			log.Fatalf("%s holds\n%s\nnot the manifest's document\n%s", *r.Out, got, want)
		}
		form := signedForm(*r.Out, proof, pub, r.Form, nil)
		if form != r.Form {
			log.Fatalf("%s: signed over the %s form, the manifest says %s", *r.Out, form, r.Form)
		}
		formFlag := map[string]string{"rfc8785": "RFC8785", "python": "PythonForm"}[form]
		name := strings.TrimSuffix(filepath.Base(*r.Out), ".json")
		request := map[string]any{"op": "status_proof", "keys": ring, "now": issProofNow, "proof": string(proof)}
		exp := spClaims(m.Document, "ok", true)
		exp["signed_form"] = form
		tests = append(tests, test{ID: "issuers/recipe/" + name, Comment: "the " + r.Language + " recipe of docs/issuers.md (" + r.Recipe + ")",
			Flags: []string{"Recipe", formFlag}, Request: request, Expected: exp})
		tampered := strings.Replace(string(proof), `"valid_until":"2026-03-04T09:00:00Z"`, `"valid_until":"2026-03-05T09:00:00Z"`, 1)
		if tampered == string(proof) {
			log.Fatalf("%s: no valid_until to change", *r.Out)
		}
		request = map[string]any{"op": "status_proof", "keys": ring, "now": issProofNow, "proof": tampered}
		tests = append(tests, test{ID: "issuers/recipe/" + name + "/tampered", Comment: "the " + r.Language + " recipe's proof, valid_until a day later",
			Flags: []string{"Recipe", formFlag, "Tamper"}, Request: request, Expected: qkRejected("bad_signature")})
	}
	return tests
}
