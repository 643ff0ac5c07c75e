// The Verifier: one module instance behind the package's typed API. Every
// method builds a request frame of the module's ABI, sends it, and returns
// the parsed response. A verification failure is a result ({valid: false});
// only misuse throws.

import { Instance, ModuleCrash, RequestTooLarge } from './instance.js';
import { LicverifyError } from './errors.js';
import { MAX_REQUEST, buildRequest, bytesOf, encodeFrame, requestFromObject } from './requests.js';
import { LoadedRevocationSet } from './revocation.js';

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

  // exchange sends a request frame and returns the response text,
  // replacing the instance and trying once more when it crashes, runs out
  // of memory or reports an internal error, so that a fault caused by an
  // earlier call never surfaces; a fault the request itself causes is
  // thrown. request is the frame, or a function that builds it: a request
  // naming state in the instance (a loaded set's handle) is built again
  // for the new instance.
  #exchange(request) {
    for (let attempt = 0; ; attempt++) {
      // The instance first, so that a builder sees the new generation.
      this.#current();
      const frame = typeof request === 'function' ? request() : request;
      const instance = this.#current();
      let response;
      try {
        response = instance.call(frame);
      } catch (err) {
        const tooLarge = err instanceof RequestTooLarge;
        // Over the limit is the request's fault; under it, the instance's.
        if (tooLarge && err.size > MAX_REQUEST) {
          throw new LicverifyError(`licverify: bad request: request is ${err.size} bytes, limit is ${MAX_REQUEST}`);
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
   * call sends a raw request and returns the module's response text
   * unchanged, whether a result or {"error": ...}. The request is a frame
   * (a Uint8Array, ArrayBuffer or view, sent as it is), or an object in
   * the test vectors' JSON form, framed with the table of ops.
   * @param {Uint8Array | ArrayBuffer | ArrayBufferView | object} request
   * @returns {string}
   */
  call(request) {
    let frame = bytesOf(request);
    if (frame === null) {
      if (request === null || typeof request !== 'object' || Array.isArray(request)) {
        throw new TypeError('licverify: call takes a request frame (a Uint8Array) or a request object in the vectors\' JSON form');
      }
      frame = encodeFrame(requestFromObject(request));
    }
    return this.#exchange(frame);
  }

  // result sends a frame (or a function that builds it, see exchange) and
  // parses the response: a result, or a thrown LicverifyError for
  // {"error": ...}.
  #result(request) {
    const out = JSON.parse(this.#exchange(request));
    if (typeof out.valid !== 'boolean') {
      throw new LicverifyError(out.error ?? 'licverify: the module returned no result', out.code);
    }
    return out;
  }

  #op(name, doc, options) {
    return this.#result(encodeFrame(buildRequest(name, doc, options)));
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

  /**
   * plan says what holds for a session's cache at now and what to fetch
   * next (docs/formats.md, "The lifecycle ops").
   */
  plan(options) {
    return this.#op('plan', undefined, options);
  }

  /**
   * accept says whether a fetched proof, set or delta replaces the cached
   * one, and what to persist (docs/formats.md, "The lifecycle ops").
   */
  accept(fetched, options) {
    return this.#op('accept', fetched, options);
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
    const frame = encodeFrame(buildRequest('revocation_load', set, options));
    const { handle, ...result } = this.#result(frame);
    return { result, set: result.valid ? new LoadedRevocationSet(this, frame, handle) : null };
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
   * _request sends a frame, or a function that builds it for the instance
   * it goes to, and returns its result; for LoadedRevocationSet.
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
