// Turning a vector's request back into a call of the typed API, so that
// the vectors also check how the typed functions build requests.

const functions = {
  canonicalize: 'canonicalize',
  fingerprint: 'fingerprintHash',
  status_proof: 'verifyStatusProof',
  revocation_set: 'verifyRevocationSet',
  license: 'evaluateLicense',
  qkey: 'verifyQKey',
};

// The document member of each op and the wire → option name of the
// others, written out here rather than taken from the package, so that a
// wrong name in the package fails the test.
const docs = {
  canonicalize: 'document',
  fingerprint: 'components',
  status_proof: 'proof',
  revocation_set: 'set',
  license: 'license',
  qkey: 'qkey',
};

const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

function fromBase64(s) {
  let bin;
  try {
    bin = atob(s);
  } catch {
    return null;
  }
  const b = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  // Only a value the package would write back the same way.
  return btoa(bin) === s ? b : null;
}

/**
 * typedCall returns {fn, doc, options} for a request, or null when the
 * request cannot be written with the typed API (a member of the wrong
 * type, which only a raw request can carry).
 */
export function typedCall(request) {
  const { op, ...members } = request;
  const fn = functions[op];
  if (fn === undefined) return null;
  const docName = docs[op];
  let doc = members[docName];
  delete members[docName];
  if (op === 'qkey') {
    doc = typeof doc === 'string' ? fromBase64(doc) : null;
    if (doc === null) return null;
  }
  const options = {};
  for (const [k, v] of Object.entries(members)) options[camel(k)] = v;
  return { fn, doc, options: op === 'fingerprint' ? undefined : options };
}
