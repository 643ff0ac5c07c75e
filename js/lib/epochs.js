// Validation shared by the epoch stores. A store that cannot be read is an
// error, never "no epoch": treating damage as zero would let an attacker
// roll back by corrupting the store.

export function checkNamespace(namespace) {
  if (typeof namespace !== 'string' || namespace === '') {
    throw new TypeError('licverify: an epoch namespace must be a non-empty string');
  }
}

export function checkEpoch(epoch) {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new TypeError(`licverify: an epoch must be a non-negative safe integer, got ${epoch}`);
  }
}

/** parseEpochs reads a store's {namespace: epoch} JSON text. */
export function parseEpochs(text, where) {
  let v;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`licverify: epoch store ${where} is damaged: ${err.message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new Error(`licverify: epoch store ${where} is damaged: not a JSON object`);
  }
  for (const [k, e] of Object.entries(v)) {
    if (!Number.isSafeInteger(e) || e < 0) {
      throw new Error(`licverify: epoch store ${where} is damaged: ${JSON.stringify(k)} is ${JSON.stringify(e)}`);
    }
  }
  return v;
}
