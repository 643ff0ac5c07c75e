// A revocation set verified once and held inside the module, so that
// lookups are O(1) and never send or verify the set again.

import { LicverifyError } from './errors.js';
import { ModuleCrash } from './instance.js';
import { buildRequest, encodeFrame } from './requests.js';

// Sets that are garbage collected without free() are freed in the module,
// which holds a bounded number of them.
const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((release) => release())
    : { register() {}, unregister() {} };

// handleOf is the header member naming a loaded set: a header integer.
const handleOf = (handle) => [['handle', String(handle)]];

// freeFrame is the frame that releases a handle.
const freeFrame = (handle) => encodeFrame(buildRequest('revocation_free'), handleOf(handle));

/**
 * LoadedRevocationSet is a verified set held by one verifier's module
 * instance under a handle. It keeps what built it (the load's frame and
 * every accepted delta's request): when the instance crashes and is
 * replaced, the set is verified, loaded and moved forward again from them
 * on next use, so lookups keep working. That costs the memory of the set's
 * bytes.
 */
export class LoadedRevocationSet {
  #verifier;
  #load;
  #applies = [];
  #handle;
  #generation;
  #token = {};

  /** Made by loadRevocationSet; not to be constructed directly. */
  constructor(verifier, loadFrame, handle) {
    if (typeof handle !== 'number') throw new ModuleCrash('licverify: revocation_load returned no handle');
    this.#verifier = verifier;
    // The frame is the package's own copy: the caller's buffers may change.
    this.#load = loadFrame;
    this.#handle = handle;
    this.#generation = verifier.generation;
    this.#register();
  }

  #register() {
    const verifier = this.#verifier;
    const handle = this.#handle;
    const generation = this.#generation;
    registry.register(
      this,
      () => {
        if (verifier.generation !== generation) return;
        try {
          verifier._request(freeFrame(handle));
        } catch {
          // a finalizer has nobody to report to
        }
      },
      this.#token,
    );
  }

  // ensure returns the live handle, loading the set again into a fresh
  // instance when the one that held it was replaced.
  #ensure() {
    if (this.#handle === null) throw new LicverifyError('licverify: the revocation set was freed');
    const v = this.#verifier;
    if (v.generation === this.#generation) return this.#handle;
    registry.unregister(this.#token);
    const loaded = v._request(this.#load);
    const generation = v.generation;
    if (!loaded.valid || typeof loaded.handle !== 'number') {
      throw new ModuleCrash(`licverify: loading the revocation set again after a crash gave ${loaded.code}`);
    }
    for (const apply of this.#applies) {
      const r = v._request(encodeFrame(apply, handleOf(loaded.handle)));
      if (!r.valid) throw new ModuleCrash(`licverify: applying a delta again after a crash gave ${r.code}`);
    }
    if (v.generation !== generation) throw new ModuleCrash('licverify: the module crashed while loading the revocation set again');
    this.#handle = loaded.handle;
    this.#generation = generation;
    this.#register();
    return this.#handle;
  }

  /**
   * lookup returns the status of license ids at now: the module's result
   * {valid, code, message, epoch, stale?, lookups}. A set that has expired
   * since it was loaded answers set_expired unless it was loaded with
   * allowStale.
   * @param {string | string[]} ids
   * @param {Date | string} now
   */
  lookup(ids, now) {
    if (typeof ids === 'string') ids = [ids];
    if (now === undefined) throw new TypeError('licverify: lookup needs now');
    const req = buildRequest('revocation_lookup', ids, { now });
    // Built per attempt: after a crash the handle is the set's in the new instance.
    return this.#verifier._request(() => encodeFrame(req, handleOf(this.#ensure())));
  }

  /** free releases the set in the module; lookups throw afterwards. */
  free() {
    if (this.#handle === null) return;
    registry.unregister(this.#token);
    const handle = this.#handle;
    this.#handle = null;
    this.#load = null;
    this.#applies = null;
    if (this.#verifier.generation !== this.#generation) return;
    try {
      this.#verifier._request(freeFrame(handle));
    } catch (err) {
      // The instance crashed during the call and was replaced: the set
      // went with it, and the retry found nothing under that handle.
      if (this.#verifier.generation === this.#generation) throw err;
    }
  }

  // _apply is Verifier.applyRevocationDelta.
  _apply(verifier, deltas, options) {
    if (verifier !== this.#verifier) throw new TypeError('licverify: the set was loaded by another verifier');
    if (!Array.isArray(deltas)) deltas = [deltas];
    const req = buildRequest('revocation_apply', deltas, options);
    const { handle, ...result } = verifier._request(() => encodeFrame(req, handleOf(this.#ensure())));
    // Kept with copies of its parts: the caller's buffers may change.
    if (result.valid) this.#applies.push({ ...req, parts: req.parts.map(([name, data]) => [name, data.slice()]) });
    return result;
  }
}
