// The Verifier: one module instance behind the package's typed API. Every
// method builds a request of the module's ABI, sends it, and returns the
// parsed response. A verification failure is a result ({valid: false});
// only misuse throws.

import { Instance, ModuleCrash, RequestTooLarge } from './instance.js';
import { LicverifyError } from './errors.js';
import { buildRequest } from './requests.js';
import { LoadedRevocationSet } from './revocation.js';

// maxRequest is the largest request the module accepts (internal/api
// MaxRequest); an alloc failure below it means the instance is unwell.
const maxRequest = 96 << 20;

/** Verifier owns one instance of the module, replaced after a crash. */
export class Verifier {
  #module;
  #instance = null;
  #generation = 0;

  /**
   * @param {WebAssembly.Module} module a compiled licverify module
   */
  constructor(module) {
    if (!(module instanceof WebAssembly.Module)) {
      throw new TypeError('licverify: Verifier needs a compiled WebAssembly.Module');
    }
    this.#module = module;
    this.#current();
  }

  #current() {
    if (this.#instance === null) {
      this.#instance = new Instance(this.#module);
      this.#generation++;
    }
    return this.#instance;
  }

  /** generation counts instances: it changes when one is replaced. */
  get generation() {
    return this.#generation;
  }

  // exchange sends a request and returns the response text, replacing the
  // instance and trying once more when it crashes, runs out of memory or
  // reports an internal error, so that a fault caused by an earlier call
  // never surfaces; a fault the request itself causes is thrown. request
  // is the JSON text, or a function that builds it: a request naming
  // state in the instance (a loaded set's handle) is built again for the
  // new instance.
  #exchange(request) {
    for (let attempt = 0; ; attempt++) {
      // The instance first, so that a builder sees the new generation.
      this.#current();
      const text = typeof request === 'function' ? request() : request;
      const instance = this.#current();
      let response;
      try {
        response = instance.call(text);
      } catch (err) {
        const tooLarge = err instanceof RequestTooLarge;
        if (tooLarge && err.size > maxRequest) {
          throw new LicverifyError(`licverify: bad request: request is over the module's limit of ${maxRequest} bytes`);
        }
        if (!(err instanceof ModuleCrash) && !tooLarge) throw err;
        this.#instance = null;
        if (attempt > 0) throw err;
        continue;
      }
      if (response.startsWith('{"error":"internal:')) {
        this.#instance = null;
        if (attempt > 0) {
          throw new ModuleCrash(`licverify: ${JSON.parse(response).error}`);
        }
        continue;
      }
      return response;
    }
  }

  /**
   * call sends a raw request (an object, or its JSON text) and returns the
   * module's response text unchanged, whether a result or {"error": ...}.
   * @param {string | object} request
   * @returns {string}
   */
  call(request) {
    if (typeof request !== 'string') {
      if (request === null || typeof request !== 'object') {
        throw new TypeError('licverify: call needs a request object or its JSON text');
      }
      request = JSON.stringify(request);
    }
    return this.#exchange(request);
  }

  // result sends a request object (or a function that builds it, see
  // exchange) and parses the response: a result, or a thrown
  // LicverifyError for {"error": ...}.
  #result(request) {
    const text = typeof request === 'function' ? () => JSON.stringify(request()) : JSON.stringify(request);
    const out = JSON.parse(this.#exchange(text));
    if (typeof out.valid !== 'boolean') {
      throw new LicverifyError(out.error ?? 'licverify: the module returned no result');
    }
    return out;
  }

  #op(name, doc, options) {
    const req = buildRequest(name, doc, options);
    if (req.result) return req.result;
    return this.#result(req.request);
  }

  /** canonicalize returns the RFC 8785 form of a JSON document. */
  canonicalize(document, options) {
    return this.#op('canonicalize', document, options);
  }

  /** fingerprintHash hashes a fingerprint components object. */
  fingerprintHash(components) {
    return this.#op('fingerprint', components, undefined);
  }

  /** verifyStatusProof verifies a status proof offline. */
  verifyStatusProof(proof, options) {
    return this.#op('status_proof', proof, options);
  }

  /** verifyRevocationSet verifies a revocation set and its deltas. */
  verifyRevocationSet(set, options) {
    return this.#op('revocation_set', set, options);
  }

  /** evaluateLicense evaluates a license.key with its state file. */
  evaluateLicense(license, options) {
    return this.#op('license', license, options);
  }

  /** verifyQKey decrypts and verifies a .qkey license. */
  verifyQKey(qkey, options) {
    return withHas(this.#op('qkey', qkey, options));
  }

  /**
   * loadRevocationSet verifies a set (and deltas) as verifyRevocationSet
   * does and, when it is valid, keeps it in the module for O(1) lookups.
   * @returns {{result: object, set: LoadedRevocationSet | null}}
   */
  loadRevocationSet(set, options) {
    const req = buildRequest('revocation_load', set, options);
    if (req.result) return { result: req.result, set: null };
    const { handle, ...result } = this.#result(req.request);
    return { result, set: result.valid ? new LoadedRevocationSet(this, req.request, handle) : null };
  }

  /**
   * applyRevocationDelta moves a loaded set forward with one delta or an
   * array of them; on a rejection the set stays as it was.
   */
  applyRevocationDelta(set, deltas, options) {
    if (!(set instanceof LoadedRevocationSet)) {
      throw new TypeError('licverify: applyRevocationDelta needs a set from loadRevocationSet');
    }
    return set._apply(this, deltas, options);
  }

  /**
   * _request sends a request object, or a function that builds it for the
   * instance it goes to, and returns its result; for LoadedRevocationSet.
   */
  _request(request) {
    return this.#result(request);
  }
}

// asciiLower lower-cases A-Z only, as the module does for features, so
// that has() agrees with Go's QKeyResult.Has for every string.
const asciiLower = (s) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

// withHas adds the has(feature) helper to a .qkey result, not enumerable so
// that the result still serializes to the module's JSON.
function withHas(result) {
  const features = new Set(Array.isArray(result.features) ? result.features : []);
  Object.defineProperty(result, 'has', {
    value: (feature) => result.valid === true && typeof feature === 'string' && features.has(asciiLower(feature)),
    enumerable: false,
  });
  return result;
}

export { LicverifyError };
