// The references of the latency table: what a user could write instead of
// licverify for the status proof job. Each takes the same request text the
// module gets, parses the keyring and the proof, canonicalizes the proof
// minus its signature with the `canonicalize` package (RFC 8785), verifies
// the Ed25519 signature with the kid's key, and checks status and times.
// They do less than licverify: no strict I-JSON pre-pass (duplicate keys,
// big integers), no weak-key check, no field validation, no claims object.

const encoder = new TextEncoder();

function fromBase64(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// job returns verify(request) => boolean over a signature check
// check(signature, message, publicKey).
function job(canonicalize, check) {
  return (requestText) => {
    const req = JSON.parse(requestText);
    const ring = JSON.parse(req.keys);
    const proof = JSON.parse(req.proof);
    const { signature, ...unsigned } = proof;
    const key = ring.find((k) => k.kid === proof.issuer_kid);
    if (key === undefined || typeof signature !== 'string') return false;
    const message = encoder.encode(canonicalize(unsigned));
    if (!check(fromBase64(signature), message, fromBase64(key.public_key))) return false;
    const now = Date.parse(req.now);
    return (
      proof.status === 'valid' &&
      Date.parse(proof.checked_at) <= now + 5 * 60e3 &&
      now < Date.parse(proof.valid_until)
    );
  };
}

/**
 * pureJS is @noble/ed25519 (its RFC 8032 mode, zip215: false, the rule
 * licverify follows) with @noble/hashes' SHA-512: JavaScript only.
 */
export function pureJS({ ed, sha512, canonicalize }) {
  ed.hashes.sha512 = sha512;
  return job(canonicalize, (sig, msg, pub) => ed.verify(sig, msg, pub, { zip215: false }));
}

// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410).
const spkiPrefix = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/**
 * nodeCrypto is Node's crypto.verify (OpenSSL) with the same JavaScript
 * canonicalization: the native floor of a JS pipeline.
 */
export function nodeCrypto({ crypto, canonicalize }) {
  return job(canonicalize, (sig, msg, pub) => {
    const der = new Uint8Array(spkiPrefix.length + pub.length);
    der.set(spkiPrefix);
    der.set(pub, spkiPrefix.length);
    const key = crypto.createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
    return crypto.verify(null, msg, key, sig);
  });
}

/**
 * tampered returns the request with one byte of the proof's signature
 * changed, which every verifier must refuse: a reference that accepted it
 * would be timing nothing.
 */
export function tampered(requestText) {
  const req = JSON.parse(requestText);
  const proof = JSON.parse(req.proof);
  const s = proof.signature;
  proof.signature = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  req.proof = JSON.stringify(proof);
  return JSON.stringify(req);
}
