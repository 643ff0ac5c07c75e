// Validation shared by the epoch stores. A store that cannot be read is an
// error, never "no epoch": treating damage as zero would let an attacker
// roll back by corrupting the store.

export function checkNamespace(namespace) {
  if (typeof namespace !== 'string' || namespace === '') {
    throw new TypeError('licverify: an epoch namespace must be a non-empty string');
  }
}

// MAX_EPOCH is 2^53, the largest epoch a document carries: integers up to
// it are exact in an IEEE double (2^53 itself is, though it is not "safe").
const MAX_EPOCH = 2 ** 53;

const isEpoch = (e) => Number.isInteger(e) && e >= 0 && e <= MAX_EPOCH;

export function checkEpoch(epoch) {
  if (!isEpoch(epoch)) {
    throw new TypeError(`licverify: an epoch must be an integer from 0 to 2^53, got ${epoch}`);
  }
}

/** emptyEpochs is a map of epochs with no prototype, so that a namespace
 * such as "__proto__" or "constructor" is an ordinary key. */
export const emptyEpochs = () => Object.create(null);

/** storedEpoch reads a namespace's own epoch, 0 when there is none. */
export const storedEpoch = (epochs, namespace) => (Object.hasOwn(epochs, namespace) ? epochs[namespace] : 0);

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
  const out = emptyEpochs();
  for (const [k, e] of Object.entries(v)) {
    if (!isEpoch(e)) {
      throw new Error(`licverify: epoch store ${where} is damaged: ${JSON.stringify(k)} is ${JSON.stringify(e)}`);
    }
    out[k] = e;
  }
  return out;
}
