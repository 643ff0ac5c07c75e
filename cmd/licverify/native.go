package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/host"
	"github.com/licverify/licverify/internal/jsontext"
)

// signLimit is the largest document sign accepts: a revocation set at its
// limit.
const signLimit = 64 << 20

// privateKey is the file keygen writes and sign reads. It holds the
// 32-byte Ed25519 seed; the verifier refuses it as a keyring.
type privateKey struct {
	KID        string `json:"kid"`
	Alg        string `json:"alg"`
	PrivateKey string `json:"private_key"`
	PublicKey  string `json:"public_key"`
}

func runKeygen(e *env, args []string) error {
	f := e.newFlags("keygen", native)
	kid := f.String("kid", "", "the key id `KID` (default: derived from the public key)")
	seedHex := f.String("seed", "", "the seed, 64 `HEX` digits, for reproducible fixtures (default: random)")
	keyring := f.String("keyring", "", "also write the public keyring (a JSON array) to this `FILE`")
	if pos, err := f.parse(args); err != nil {
		return err
	} else if len(pos) != 0 {
		return usagef("takes no arguments")
	}
	seed := make([]byte, ed25519.SeedSize)
	if *seedHex != "" {
		s, err := hex.DecodeString(*seedHex)
		if err != nil || len(s) != ed25519.SeedSize {
			return usagef("--seed must be %d hex digits", 2*ed25519.SeedSize)
		}
		seed = s
	} else if _, err := rand.Read(seed); err != nil {
		return err
	}
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	if *kid == "" {
		sum := sha256.Sum256(pub)
		*kid = "key-" + hex.EncodeToString(sum[:4])
	}
	k := privateKey{KID: *kid, Alg: "ed25519", PrivateKey: base64.StdEncoding.EncodeToString(seed), PublicKey: base64.StdEncoding.EncodeToString(pub)}
	if *keyring != "" {
		ring, _ := json.Marshal([]map[string]string{{"kid": k.KID, "alg": "ed25519", "public_key": k.PublicKey}})
		if err := writeFileAtomic(*keyring, append(ring, '\n')); err != nil {
			return err
		}
	}
	out, _ := json.Marshal(k)
	fmt.Fprintln(e.stdout, string(out))
	return nil
}

func runSign(e *env, args []string) error {
	f := e.newFlags("sign", native)
	keyFile := f.String("key", "", "the `PRIVATE` key file from keygen (required)")
	kidFlag := f.nonEmpty("kid", "the key id `KID` to write as issuer_kid in a status proof, revocation set or delta that has none (default: the key file's kid); other documents, a license.key or a .qkey, have no issuer_kid and gain no member")
	formName := f.String("form", "rfc8785", "the signed `FORM`: rfc8785, or python for what json.dumps(doc, sort_keys=True, separators=(',', ':')) writes, as Python issuers sign; the document is printed in that form")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *keyFile == "" {
		return usagef("want --key PRIVATE and one DOC")
	}
	form, ok := canonical.ParseForm(*formName)
	if !ok {
		return usagef("--form %q: the signed forms are rfc8785 and python", *formName)
	}
	if !utf8.ValidString(*kidFlag) {
		return usagef("--kid %q is not UTF-8", *kidFlag)
	}
	kb, err := e.readFile(*keyFile, "the key file")
	if err != nil {
		return err
	}
	var k privateKey
	if bytes.HasPrefix(kb, []byte("\xef\xbb\xbf")) {
		return usagef("%s starts with a byte order mark (EF BB BF): save it as UTF-8 without one", *keyFile)
	}
	if err := json.Unmarshal(kb, &k); err != nil || k.PrivateKey == "" {
		return usagef("%s is not a private key file from licverify keygen", *keyFile)
	}
	seed, err := base64.StdEncoding.DecodeString(k.PrivateKey)
	if err != nil || len(seed) != ed25519.SeedSize {
		return usagef("%s: private_key is not %d bytes of base64", *keyFile, ed25519.SeedSize)
	}
	doc, err := e.readFile(pos[0], "the document")
	if err != nil {
		return err
	}
	kid, explicit := k.KID, *kidFlag != ""
	if explicit {
		kid = *kidFlag
	}
	if doc, err = withIssuerKID(doc, kid, explicit); err != nil {
		return usagef("%s: %v", pos[0], err)
	}
	signed, err := sign(doc, ed25519.NewKeyFromSeed(seed), form)
	if err != nil {
		return usagef("%s: %v", pos[0], err)
	}
	fmt.Fprintln(e.stdout, string(signed))
	return nil
}

// withIssuerKID returns doc with an issuer_kid member naming kid when doc
// is of a format that reads one (docs/formats.md: required in a status
// proof, optional in a revocation set or delta) and has none; any other
// document is returned as it is. A kid given explicitly (--kid) must be
// one the document can carry: an issuer_kid the document already names
// differently, or a format without the member, is an error rather than a
// signature that silently ignores it.
func withIssuerKID(doc []byte, kid string, explicit bool) ([]byte, error) {
	names := map[string][]byte{}
	if canonical.Validate(doc, signLimit) != nil ||
		!jsontext.Object(doc, func(name string, value []byte) bool { names[name] = value; return true }) {
		return doc, nil // not a JSON object: sign says why
	}
	has := func(n string) bool { _, ok := names[n]; return ok }
	// The kinds as verify tells them apart in its messages (statusproof_fields.go).
	var kind string
	switch {
	case has("since_epoch") || (has("added") && has("removed")):
		kind = "revocation delta"
	case has("revoked_ids"):
		kind = "revocation set"
	case has("license_id") && has("checked_at"):
		kind = "status proof"
	}
	if kind == "" {
		if explicit {
			return nil, errors.New("--kid is written as issuer_kid, which only a status proof, a revocation set or a delta has; this document is none of them: leave --kid out")
		}
		return doc, nil
	}
	if v, ok := names["issuer_kid"]; ok {
		if named, _ := jsontext.Unquote(v); explicit && named != kid {
			return nil, fmt.Errorf("the %s names issuer_kid %s, and --kid %q: remove one of them", kind, v, kid)
		}
		return doc, nil
	}
	if kid == "" {
		if kind == "status proof" {
			return nil, errors.New("a status proof must name its key in issuer_kid, and the key file has no kid: give --kid")
		}
		return doc, nil
	}
	member, _ := json.Marshal(kid)
	member = append([]byte(`"issuer_kid":`), member...)
	if len(names) > 0 {
		member = append(member, ',')
	}
	i := bytes.IndexByte(doc, '{') + 1 // doc is an object: '{' is its first byte but whitespace
	return slices.Concat(doc[:i], member, doc[i:]), nil
}

// sign returns doc in form f with a "signature" member: the Ed25519
// signature of its form f without any signature member, exactly the bytes
// a verifier checks.
func sign(doc []byte, key ed25519.PrivateKey, f canonical.Form) ([]byte, error) {
	payload, _, err := canonical.SignedForm(doc, signLimit, f)
	if err != nil {
		return nil, err
	}
	sig, _ := json.Marshal(base64.StdEncoding.EncodeToString(ed25519.Sign(key, payload)))
	var out []byte
	if string(payload) == "{}" {
		out = []byte(`{"signature":` + string(sig) + `}`)
	} else {
		out = append(append(append(payload[:len(payload)-1:len(payload)-1], `,"signature":`...), sig...), '}')
	}
	return canonical.TransformForm(out, signLimit+len(sig)+16, f)
}

// collectFingerprint reads this machine's identifiers with the package's
// collector, whose rules docs/formats.md defines and the npm package's
// Node collector follows too.
func collectFingerprint() map[string]string { return host.CollectFingerprint() }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// runQuantumMeta prints host.CollectQuantumMetaMachineID's answer: its
// JSON with --json.
func runQuantumMeta(e *env, f *flags) error {
	r := host.CollectQuantumMetaMachineID()
	resp, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var b strings.Builder
	if r.ID != "" {
		fmt.Fprintf(&b, "quantummeta_machine_id: %s\nsource: %s\npath: %s", r.ID, r.Source, r.Path)
	} else {
		b.WriteString("quantummeta_machine_id: unavailable\nreason: " + r.Reason)
	}
	return e.report(f, resp, b.String(), r.ID != "")
}
