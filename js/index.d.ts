/**
 * licverify: offline verification of signed software licenses and license
 * status proofs (RFC 8785 canonical JSON + Ed25519), in one WebAssembly
 * module that gives the same answer in browsers, Node, Electron and Go.
 *
 * Call {@link init} once, then the verbs. Every verification returns a
 * result object — `valid: false` is an answer, not an exception — with a
 * stable {@link Code}; only misuse (a missing `keys` or `now`, an unknown
 * option, a value of the wrong type) and a keyring that does not load
 * throw.
 *
 * Results are discriminated unions on `valid` (and a license's
 * `decision`): once `valid` is checked, TypeScript knows which claims are
 * there.
 *
 * ```js
 * import { init, verifyStatusProof } from 'licverify';
 * await init();
 * const r = verifyStatusProof(proofText, { keys: keyringText, now: new Date() });
 * if (r.valid) {
 *   r.valid_until; // string: the claims of a valid result are present
 * } else {
 *   console.log(r.code, r.message, r.license_id ?? '(not authenticated)');
 * }
 * ```
 *
 * The same declarations serve both entry points: `node.js` (Node, Electron's
 * main process) and `browser.js` (browsers, workers, renderers, bundlers).
 * Where a helper behaves differently the difference is documented on it.
 *
 * @packageDocumentation
 */

/** A result code; the same strings as Go's `verify.Code` and the test vectors. */
export type Code =
  | 'ok'
  | 'malformed_json'
  | 'duplicate_key'
  | 'input_too_large'
  | 'missing_field'
  | 'invalid_field'
  | 'unsupported_schema'
  | 'unsupported_alg'
  | 'malformed_signature'
  | 'weak_key'
  | 'signature_missing'
  | 'unknown_key'
  | 'key_not_valid'
  | 'bad_signature'
  | 'not_yet_valid'
  | 'proof_expired'
  | 'ttl_too_long'
  | 'license_mismatch'
  | 'product_mismatch'
  | 'device_required'
  | 'device_mismatch'
  | 'epoch_rollback'
  | 'revoked'
  | 'suspended'
  | 'expired'
  | 'trial_expired'
  | 'set_expired'
  | 'delta_base_mismatch'
  | 'offline_too_long'
  | 'decrypt_failed'
  | 'clock_rollback'
  | 'proof_missing'
  | 'not_newer';

/** Every code but `"ok"`: the code of a rejection. */
export type RejectionCode = Exclude<Code, 'ok'>;

/**
 * What every result has. `valid` is true exactly when `code` is `"ok"`.
 * Claims are present only once the document's signature has verified, so
 * they are never read from forged content.
 *
 * Each verb's result type is a union of an accepted and a rejected form
 * (see {@link Accepted} and {@link Rejected}): test `valid` (or `code ===
 * 'ok'`) and TypeScript narrows it to the form with its claims.
 */
export interface Result {
  valid: boolean;
  code: Code;
  /** A sentence for people; its wording may change, `code` does not. */
  message: string;
}

/** A result whose every check passed. */
export interface Accepted extends Result {
  valid: true;
  code: 'ok';
}

/** A rejection: `code` is the first check that failed, in the documented order. */
export interface Rejected extends Result {
  valid: false;
  code: RejectionCode;
}

/**
 * A signed document: its bytes, sent to the module exactly as they are
 * (never decoded here), or its text, sent as UTF-8. Never a parsed object:
 * re-serializing one could change what was signed (duplicate members
 * collapse, large numbers round), so objects are refused with a TypeError.
 *
 * Nothing is repaired on the way: bytes that are not UTF-8, a byte order
 * mark, or a string holding a lone surrogate (sent as its generalized
 * UTF-8 bytes, ED A0 80 for U+D800, which are not UTF-8) give
 * `malformed_json`, exactly as native Go answers for those bytes, never
 * the verdict on text with U+FFFD in their place.
 */
export type DocumentInput = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * A request frame of the module's ABI (wasm/ABI.md): `"LVR2"`, the header
 * length (uint32 little-endian), the JSON header, then the parts (name
 * length, name, data length, data). Sent as it is.
 */
export type RequestFrame = Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * A request in the test vectors' JSON form (`testvectors/*.json`), framed
 * with the module's table of ops: the members that travel as parts (the
 * document, `keys`, `state`, `fingerprint`, `deltas`) are strings (sent as
 * {@link DocumentInput} strings are), bytes, or `<member>_b64` standard
 * base64 (arrays of those for `deltas`); every other member goes into the
 * header as its `JSON.stringify` text (a bigint as its digits), unchecked,
 * so that the module judges it.
 */
export interface VectorRequest {
  op: string;
  [member: string]: unknown;
}

/** A time: a Date, or an RFC 3339 string sent as is. */
export type TimeInput = Date | string;

/** One key of a native keyring. */
export interface KeyEntry {
  kid: string;
  alg: 'ed25519';
  /** Base64 of the 32-byte Ed25519 public key. */
  public_key: string;
  /** RFC 3339; the key verifies only documents issued in its window. */
  not_before?: string;
  not_after?: string;
  /** The signed forms this key's signatures may be over; absent: every form. */
  forms?: SignedForm[];
}

/**
 * A serialization a signature may be over (docs/formats.md "Signed
 * forms"): RFC 8785, or Python's `json.dumps(doc, sort_keys=True,
 * separators=(',', ':'))`.
 */
export type SignedForm = 'rfc8785' | 'python';

/** A JSON Web Key Set of Ed25519 keys. */
export interface JWKS {
  keys: Array<{ kty: 'OKP'; crv: 'Ed25519'; x: string; kid?: string; forms?: SignedForm[] }>;
}

/**
 * The public keys to verify with: the keyring's text (a JSON array of
 * {@link KeyEntry}, a {@link JWKS}, or PEM SPKI public keys), its bytes, or
 * the parsed JSON value. A keyring with a weak key is refused whole: the
 * result's code is `weak_key`.
 */
export type KeysInput = DocumentInput | readonly KeyEntry[] | JWKS;

/**
 * A device's fingerprint components, e.g. `{"machine_id": "…", "mac": "…"}`.
 * The hash is taken over their RFC 8785 form, so member order is irrelevant.
 */
export type FingerprintComponents = Record<string, string>;

/** Options shared by the verbs that check signatures. */
export interface VerifyOptions {
  /** The keys to verify with. Required. */
  keys: KeysInput;
  /** The current time from a clock the host trusts. Required. */
  now: TimeInput;
}

/** Where {@link init} and {@link createVerifier} find the module. */
export interface InitOptions {
  /**
   * The licverify .wasm: a URL (string or URL; in Node also a file path),
   * its bytes, a Response (or a promise of one), or a compiled
   * `WebAssembly.Module`. Default: `licverify.wasm` beside the package, found
   * with `new URL('./licverify.wasm', import.meta.url)` when init runs (read
   * with `fs` in Node, fetched elsewhere, a `file:` URL read with
   * XMLHttpRequest; bundlers recognize the pattern). An iife or cjs bundle
   * has no `import.meta`: there it must be given.
   */
  wasm?: URL | string | BufferSource | WebAssembly.Module | Response | PromiseLike<Response>;
}

/**
 * Compiles and instantiates the module. Call it once and await it before
 * anything else; later calls resolve at once. If it fails it can simply be
 * called again: it rejects with an `Error` naming the URL or path when the
 * module cannot be found, fetched or read or is not WebAssembly (with what
 * came back), and with a `WebAssembly.CompileError` when the browser
 * refuses to compile it.
 */
export function init(options?: InitOptions): Promise<void>;

/**
 * Returns a {@link Verifier} with its own module instance, independent of
 * the one {@link init} creates (which the module-level functions use).
 * Without `options.wasm` it reuses the module {@link init} compiled.
 */
export function createVerifier(options?: InitOptions): Promise<Verifier>;

/**
 * Thrown for misuse and for configuration the module cannot use: the
 * module refused the request (its message is the module's
 * `licverify: bad request: ...`: a missing `keys` or `now`, a value out of
 * bounds, an option string holding a lone surrogate, a request over
 * 72 MiB), the keyring does not load (`licverify: keyring: ...`, with
 * `code` the problem's result code, such as `'weak_key'`: fix the keyring,
 * not the document), or init was not awaited.
 */
export class LicverifyError extends Error {
  /** For a keyring that does not load: the result code of the problem. */
  readonly code?: Code;
}

/**
 * Thrown when a request crashes the module (a trap, an exit, an internal
 * error) even on a fresh instance. The message carries what the module
 * wrote to stderr. It is a bug to report, never a verdict.
 */
export class ModuleCrash extends Error {}

/**
 * One module instance and the verbs over it. An instance that traps is
 * replaced transparently and the call tried once more on the fresh one; a
 * request that crashes a fresh instance too throws {@link ModuleCrash}.
 */
export class Verifier {
  /** Wraps a compiled licverify module. Prefer {@link createVerifier}. */
  constructor(module: WebAssembly.Module);
  /** Counts instances: it changes each time a crashed one is replaced. */
  readonly generation: number;
  call(request: RequestFrame | VectorRequest): string;
  canonicalize(document: DocumentInput, options?: CanonicalizeOptions): CanonicalizeResult;
  fingerprintHash(components: FingerprintComponents | DocumentInput): FingerprintResult;
  verifyStatusProof(proof: DocumentInput, options: StatusProofOptions): StatusProofResult;
  verifyRevocationSet(set: DocumentInput, options: RevocationSetOptions): RevocationSetResult;
  loadRevocationSet(set: DocumentInput, options: RevocationSetOptions): LoadResult;
  applyRevocationDelta(set: LoadedRevocationSet, deltas: DocumentInput | DocumentInput[], options: ApplyDeltaOptions): RevocationSetResult;
  evaluateLicense(license: DocumentInput, options: LicenseOptions): LicenseResult;
  verifyQKey(qkey: DocumentInput, options: QKeyOptions): QKeyResult;
}

/**
 * Sends a raw request and returns the module's response text unchanged: a
 * result, or `{"error": "licverify: bad request: ..."}` for a request the
 * module refuses. The request is a {@link RequestFrame}, sent as it is, or
 * a {@link VectorRequest}, framed first. JSON text is neither (a TypeError):
 * parse it first. A request over the module's 72 MiB limit throws
 * {@link LicverifyError}. For test runners and tools; the typed functions
 * are the API.
 *
 * ```js
 * call({ op: 'canonicalize', document: '[1.0]' });
 * // '{"valid":true,"code":"ok","message":"canonical form computed","canonical":"[1]"}'
 * ```
 */
export function call(request: RequestFrame | VectorRequest): string;

export interface CanonicalizeOptions {
  /** The size limit in bytes; default 1 MiB. */
  limit?: number;
}

export interface CanonicalizeAccepted extends Accepted {
  /** The RFC 8785 canonical form. */
  canonical: string;
}

export interface CanonicalizeRejected extends Rejected {
  canonical?: undefined;
}

/** The canonical form when `valid`; nothing more otherwise. */
export type CanonicalizeResult = CanonicalizeAccepted | CanonicalizeRejected;

/**
 * Returns the RFC 8785 canonical form of a JSON document, after the strict
 * I-JSON checks every signed document gets (`duplicate_key`,
 * `malformed_json`, `input_too_large`).
 */
export function canonicalize(document: DocumentInput, options?: CanonicalizeOptions): CanonicalizeResult;

export interface FingerprintAccepted extends Accepted {
  /** `"sha256:" + hex(SHA-256(JCS(components)))`: a proof's binding_hash, a license's fingerprint_hash. */
  binding_hash: string;
  /** The first 32 hex digits of the same digest: a .qkey machine_id. */
  machine_id: string;
}

export interface FingerprintRejected extends Rejected {
  binding_hash?: undefined;
  machine_id?: undefined;
}

/** Both hashes when `valid`; `malformed_json`, `invalid_field` (not an object)… otherwise. */
export type FingerprintResult = FingerprintAccepted | FingerprintRejected;

/**
 * Hashes fingerprint components (the object, or its JSON text or bytes)
 * the way every runtime does. See {@link collectFingerprint} for collecting
 * them. Text that is not UTF-8 (a lone surrogate) is `malformed_json`.
 */
export function fingerprintHash(components: FingerprintComponents | DocumentInput): FingerprintResult;

export interface StatusProofOptions extends VerifyOptions {
  /** The license id the proof must be for (from the license artifact). */
  licenseId?: string;
  /**
   * This device's fingerprint components (the object, its text or bytes); a
   * device-bound proof needs them. Empty, not UTF-8 or not a JSON object
   * is misuse: a {@link LicverifyError}.
   */
  fingerprint?: FingerprintComponents | DocumentInput;
  /** The highest epoch stored for this namespace (see {@link createEpochStore}); older is `epoch_rollback`. A bigint reaches 2^53. */
  minEpoch?: number | bigint;
  /** The longest valid_until − checked_at accepted; default 168 hours. */
  maxTtlSeconds?: number;
  /** How far checked_at may lie in the future; default 300, 0 for none. */
  skewSeconds?: number;
  /** The size limit in bytes; default 1 MiB. */
  limit?: number;
}

/**
 * The claims of a status proof whose signature verified (docs/formats.md,
 * "Claims"). A rejection after the signature (`proof_expired`,
 * `license_mismatch`, `revoked`, …) carries them too; one before it
 * (`bad_signature`, `malformed_json`, …) carries none.
 */
export interface StatusProofClaims {
  license_id: string;
  /** As signed: any string in a rejection (`"suspended"` is `invalid_field`). */
  status: string;
  checked_at: string;
  valid_until: string;
  /** The proof's `revocation_epoch`. */
  epoch: number;
  /** As signed; `[]` when the proof has none. */
  entitlements: string[];
  /** The kid of the key that verified the proof. */
  kid: string;
  /** The signed form the signature is over (the first allowed one when the forms are the same bytes). */
  signed_form: SignedForm;
  /** Whether the proof is bound to a device. */
  bound: boolean;
  /** checked_at + 75% of the TTL: when to fetch a fresh proof. Absent when valid_until is not after checked_at (an `invalid_field`). */
  refresh_after?: string;
  /** True for a proof in its grace period; absent otherwise. */
  grace?: true;
  /**
   * The epoch to store as the new anti-rollback epoch: once the epoch
   * check has passed, so also with `revoked` and `expired`.
   */
  store_epoch?: number;
}

/** A status proof that passed every check: all its claims are present. */
export interface StatusProofAccepted extends Accepted, StatusProofClaims {
  status: 'valid' | 'grace_period';
  refresh_after: string;
  store_epoch: number;
}

/** A rejected status proof: claims only if its signature verified. */
export interface StatusProofRejected extends Rejected, Partial<StatusProofClaims> {}

/**
 * The result of {@link verifyStatusProof}:
 *
 * ```ts
 * const r = verifyStatusProof(proofText, { keys: keyringText, now: new Date() });
 * if (r.valid) {
 *   const until: string = r.valid_until;
 *   const refresh: string = r.refresh_after;
 *   const epoch: number = r.store_epoch;
 * }
 * ```
 */
export type StatusProofResult = StatusProofAccepted | StatusProofRejected;

/**
 * Verifies a status proof offline: the proof object, the API's
 * `{"proof": …}` wrapper, or the compact base64 string.
 */
export function verifyStatusProof(proof: DocumentInput, options: StatusProofOptions): StatusProofResult;

export interface RevocationSetOptions extends VerifyOptions {
  /** Deltas to apply in order, each on the set the previous one made (at most 4,096; more is a {@link LicverifyError}). */
  deltas?: DocumentInput[];
  /** The highest epoch stored for this namespace; older is `epoch_rollback`. A bigint reaches 2^53. */
  minEpoch?: number | bigint;
  /** Accept a set past its valid_until; the result then says `stale: true`. */
  allowStale?: boolean;
  /** How far issued_at may lie in the future; default 300, 0 for none. */
  skewSeconds?: number;
  /** The size limit of each document in bytes; default 64 MiB. */
  limit?: number;
  /** License ids to look up in the verified set at `now` (at most 65,536). An id holding a lone surrogate is a {@link LicverifyError}. */
  lookup?: string[];
}

/**
 * The status of one license id in a verified set at `now`: `revoked`,
 * `suspended` with the end of the suspension, or `not_revoked` (also once
 * a suspension has ended).
 */
export type LookupResult =
  | { license_id: string; status: 'revoked' | 'not_revoked'; until?: undefined }
  | { license_id: string; status: 'suspended'; /** The end of the suspension. */ until: string };

/** The claims of a revocation set (or of the set a delta chain reaches) that was authenticated and read. */
export interface RevocationSetClaims {
  epoch: number;
  issued_at: string;
  valid_until: string;
  /** The kid of the key that verified the set: its issuer_kid, or the ring key's kid (absent for a key without one). */
  kid?: string;
  /** The signed form of the last document applied: the set, or a chain's last delta. */
  signed_form: SignedForm;
  revoked_count: number;
  /** Suspension entries listed, whether or not their `until` has passed. */
  suspended_count: number;
  /** Accepted past valid_until because `allowStale` was set; absent otherwise. */
  stale?: true;
  /** The epoch to store as the new anti-rollback epoch (also given with `set_expired`). */
  store_epoch?: number;
}

/** A verified set: its claims, and the lookups asked for. */
export interface RevocationSetAccepted extends Accepted, RevocationSetClaims {
  store_epoch: number;
  /** The answers for `options.lookup`, in order (absent when no id, or an empty list, was asked for). */
  lookups?: LookupResult[];
}

/** A rejected set or delta: claims from the set reached, once it was authenticated (`epoch_rollback`, `set_expired`, …). */
export interface RevocationSetRejected extends Rejected, Partial<RevocationSetClaims> {
  lookups?: undefined;
}

/** The result of {@link verifyRevocationSet} and {@link applyRevocationDelta}. */
export type RevocationSetResult = RevocationSetAccepted | RevocationSetRejected;

/**
 * Verifies a revocation set, applies its deltas (`delta_base_mismatch` when
 * one does not follow on), and looks license ids up in the result.
 */
export function verifyRevocationSet(set: DocumentInput, options: RevocationSetOptions): RevocationSetResult;

/**
 * What {@link loadRevocationSet} returns: `set` is the loaded set exactly
 * when `result.valid`, so testing `set !== null` narrows `result` too.
 */
export type LoadResult =
  | {
      /** The verification of the set and its deltas, as {@link verifyRevocationSet} gives it. */
      result: RevocationSetAccepted;
      /** The set, held in the module. */
      set: LoadedRevocationSet;
    }
  | { result: RevocationSetRejected; set: null };

/** The answer of {@link LoadedRevocationSet.lookup} for a set still fresh (or loaded with `allowStale`). */
export interface LookupsAccepted extends Accepted {
  /** The set's epoch (after any deltas applied). */
  epoch: number;
  /** Past valid_until, accepted because the set was loaded with `allowStale`; absent otherwise. */
  stale?: true;
  /** One entry per id asked for, in order. */
  lookups: LookupResult[];
}

/** A set that expired since it was loaded: `set_expired`, no lookups. */
export interface LookupsRejected extends Rejected {
  /** The set's epoch (after any deltas applied). */
  epoch: number;
  stale?: undefined;
  lookups?: undefined;
}

/** The answer of {@link LoadedRevocationSet.lookup}. */
export type LookupsResult = LookupsAccepted | LookupsRejected;

/**
 * A revocation set verified once and held in the module: lookups are O(1)
 * and never send or verify the set again. It lives in the instance of the
 * verifier that loaded it; if that instance crashes, the set is verified
 * and loaded again from the requests that built it (so the package keeps
 * the set's text until {@link LoadedRevocationSet.free}). A module holds at
 * most 64 sets; one that is garbage collected unfreed is freed for you.
 */
export interface LoadedRevocationSet {
  /**
   * The status of license ids at `now`. A set that has expired since it
   * was loaded answers `set_expired` (no lookups) unless it was loaded with
   * `allowStale`.
   */
  lookup(ids: string | string[], now: TimeInput): LookupsResult;
  /** Releases the set in the module; lookups throw afterwards. */
  free(): void;
}

/** Options of {@link applyRevocationDelta}. */
export interface ApplyDeltaOptions extends VerifyOptions {
  /** The highest epoch stored for this namespace; older is `epoch_rollback`. A bigint reaches 2^53. */
  minEpoch?: number | bigint;
  /** Accept a delta past its valid_until. */
  allowStale?: boolean;
  /** How far issued_at may lie in the future; default 300, 0 for none. */
  skewSeconds?: number;
  /** The size limit of each delta in bytes; default 64 MiB. */
  limit?: number;
}

/**
 * Verifies a revocation set (and deltas) as {@link verifyRevocationSet}
 * does and, when it is valid, keeps it in the module for lookups. Call
 * `set.free()` when done.
 *
 * ```js
 * const { result, set } = loadRevocationSet(setText, { keys, now: new Date() });
 * if (set === null) throw new Error(result.code);
 * const answer = set.lookup('lic-123', new Date());
 * if (answer.valid) answer.lookups[0].status; // 'revoked' | 'suspended' | 'not_revoked'
 * else answer.code; // 'set_expired': load a fresh set
 * ```
 */
export function loadRevocationSet(set: DocumentInput, options: RevocationSetOptions): LoadResult;

/**
 * Moves a loaded set forward with a delta (or several, in order): each
 * must follow on from the set's epoch (`delta_base_mismatch` otherwise).
 * On success the set is the new one; on a rejection it stays as it was.
 * The result is the last delta's. At most 4,096 deltas a call.
 */
export function applyRevocationDelta(
  set: LoadedRevocationSet,
  deltas: DocumentInput | DocumentInput[],
  options: ApplyDeltaOptions,
): RevocationSetResult;

export interface LicenseOptions extends VerifyOptions {
  /** The product this application is. Required. */
  productId: string;
  /** This machine's `sha256:…` hash from {@link fingerprintHash}; a bound license needs it. */
  fingerprintHash?: string;
  /**
   * The previous license.state.json (its bytes, text or parsed value); omit
   * on first activation. A state the module cannot read (not UTF-8, not
   * strict JSON, the wrong shape) is ignored: the result warns with the
   * reason `state_invalid`.
   */
  state?: DocumentInput | object;
  /** The release date of the build to run; the result says whether updates cover it. */
  releaseDate?: TimeInput;
  /**
   * The time the vendor's server reported in a successful online check just
   * made, over your authenticated channel. It is recorded as the last check
   * and restarts the clock guard: the way back from a clock that once ran
   * ahead (a block with code `clock_rollback`), with no file to delete.
   */
  serverTime?: TimeInput;
}

export interface LicensePolicy {
  check_interval_days: number;
  warn_after_days: number;
  max_offline_days: number;
  max_transfers: number;
}

/** license.state.json, as the host should write it after an evaluation. */
export interface LicenseState {
  schema_version: 1;
  license_id: string;
  product_id: string;
  first_activated_at: string;
  last_success_check_at: string | null;
  next_check_due_at: string;
  last_server_status: string | null;
  last_server_message: string | null;
  locked_to_fingerprint_hash: string | null;
  clock_guard: { last_seen_time: string; rollback_count: number };
}

/**
 * What a license result's `reasons` may hold: blocking codes first, then
 * warnings, then notices (docs/formats.md, "Evaluation"). A license
 * refused before its evaluation has `[code]`.
 */
export type LicenseReason =
  | RejectionCode
  | 'active_warn'
  | 'offline_warn'
  | 'state_invalid'
  | 'state_mismatch'
  | 'state_future'
  | 'check_due'
  | 'update_not_allowed';

/** The claims of an evaluated license; present for `run` and `warn`, and for a `block` decided by the evaluation. */
export interface LicenseClaims {
  license_id: string;
  product_id: string;
  customer_id: string;
  customer_name: string;
  plan: 'trial' | 'perpetual' | 'subscription';
  status: 'TRIAL' | 'TRIAL_EXPIRED' | 'ACTIVE' | 'ACTIVE_WARN' | 'EXPIRED' | 'SUSPENDED' | 'REVOKED';
  issued_at: string;
  expires_at: string;
  /** Required of perpetual and subscription licenses; a trial may have none. */
  updates_until?: string;
  /** Trials only. */
  trial_days?: number;
  /** Trials only: min(expires_at, first activation + trial_days). */
  trial_ends_at?: string;
  bound: boolean;
  /** The license's own fingerprint hash, when it has one. */
  fingerprint_hash?: string;
  /** The signed form the signature is over. */
  signed_form: SignedForm;
  /** With the defaults applied. */
  policy: LicensePolicy;
  /** max(now, the state's last_seen_time): every decision is taken at this time. */
  trusted_time: string;
  days_to_expiry: number;
  days_offline: number;
  check_due: boolean;
  /** Only when `releaseDate` was given. */
  update_allowed?: boolean;
  /** The new license.state.json to write (JSON.stringify it); absent only for `product_mismatch`. */
  state?: LicenseState;
}

/** A license that may run (`run`, or `warn` with its warnings in `reasons`): its claims and the state to write. */
export interface LicenseAccepted extends Accepted, LicenseClaims {
  decision: 'run' | 'warn';
  /** Warnings, then notices; empty for a plain `run`. */
  reasons: LicenseReason[];
  state: LicenseState;
}

/**
 * A license that must not run. Decided by the evaluation (`expired`,
 * `revoked`, `offline_too_long`, …) it carries the claims; refused before
 * the evaluation (JSON, signature, field rules, key) it has `reasons:
 * [code]` and no claims. So the claims stay optional here.
 */
export interface LicenseBlocked extends Rejected, Partial<LicenseClaims> {
  decision: 'block';
  /** Blocking codes first (`code` is the first), then warnings and notices. */
  reasons: LicenseReason[];
}

/**
 * The result of {@link evaluateLicense}. `decision` is always there;
 * `valid` is true exactly for `run` and `warn`:
 *
 * ```ts
 * const r = evaluateLicense(licenseText, { keys: keyringText, now: new Date(), productId: 'calcpro' });
 * if (r.decision !== 'block') {
 *   const state: string = JSON.stringify(r.state); // write it back
 *   const days: number = r.days_to_expiry;
 * } else {
 *   console.log('blocked:', r.reasons.join(', '));
 * }
 * ```
 */
export type LicenseResult = LicenseAccepted | LicenseBlocked;

/**
 * Evaluates a Licensing Engine license.key with the previous
 * license.state.json: run, warn or block, with every reason, and the new
 * state to write. `valid` is true for run and warn.
 */
export function evaluateLicense(license: DocumentInput, options: LicenseOptions): LicenseResult;

export interface QKeyOptions extends VerifyOptions {
  /** The decryption password; default `quantummeta`. */
  password?: string;
  /** The package this application is; another is `product_mismatch`. */
  package?: string;
  /** This machine's 32-hex-digit id (from {@link fingerprintHash}, or QuantumMeta's from {@link collectQuantumMetaMachineId}); another is `device_mismatch`. */
  machineId?: string;
  /** Accept a license without a signature (one that has a signature is always verified). */
  allowUnsigned?: boolean;
  /** The size limit in bytes; default 1 MiB. */
  limit?: number;
}

/** The claims of a .qkey whose signature verified (or, unsigned and allowed, whose fields are valid). */
export interface QKeyClaims {
  /** Trimmed and lower-cased. */
  package: string;
  user: string;
  /** 32 hex digits, lower case. */
  machine_id: string;
  /** Lower-cased, without duplicates, sorted. */
  features: string[];
  issued: string;
  expires: string;
  /** Whole days from now to expires, rounded down; negative once expired. */
  days_left: number;
  /** False only for an unsigned license accepted with `allowUnsigned`. */
  signed: boolean;
  /** The signed form the signature is over; absent when unsigned. */
  signed_form?: SignedForm;
}

/** The helper every .qkey result has. */
export interface QKeyHas {
  /**
   * Whether the license is valid and grants `feature`, compared
   * case-insensitively (ASCII), as Go's `QKeyResult.Has`. Not enumerable,
   * so the result still serializes to the module's JSON.
   */
  has(feature: string): boolean;
}

export interface QKeyAccepted extends Accepted, QKeyClaims, QKeyHas {}

/** A rejected .qkey: the claims are there for a check after the signature (`expired`, `product_mismatch`, …). */
export interface QKeyRejected extends Rejected, Partial<QKeyClaims>, QKeyHas {}

/** The result of {@link verifyQKey}. */
export type QKeyResult = QKeyAccepted | QKeyRejected;

/**
 * Decrypts and verifies a QuantumMeta .qkey license: the file's bytes
 * (encrypted, or plain JSON). A plain one may also be given as its text;
 * an encrypted file read as text has lost bytes and will not verify.
 */
export function verifyQKey(qkey: DocumentInput, options: QKeyOptions): QKeyResult;

/**
 * The anti-rollback guard's memory: the highest epoch accepted per
 * namespace. Pass `get()` as `minEpoch`, and after a valid result `raise()`
 * it to the result's `store_epoch`. Any object with these two methods will
 * do in its place.
 */
export interface EpochStore {
  /** The stored epoch, 0 when none. Rejects when the store is damaged (never reads damage as 0). */
  get(namespace: string): Promise<number>;
  /** Stores `epoch` if it is higher than the stored one; resolves to the stored epoch. */
  raise(namespace: string, epoch: number): Promise<number>;
}

export interface EpochStoreOptions {
  /** Node: the JSON file to keep epochs in (required). Written to a temporary file, flushed, then renamed over the old one, under the lock file `path + ".lock"` that the Go and Python stores take too. */
  path?: string;
  /** Browser: the Web Storage to use; default `localStorage`. */
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  /** Browser: the storage key; default `"licverify.epochs"`. */
  key?: string;
}

/**
 * Returns an {@link EpochStore}. In Node it is a file written atomically
 * (`options.path`), each raise under the lock file `path + ".lock"`, which
 * the Go, command-line and Python stores take too, so that processes of
 * any of them may share the file; in browsers a key in localStorage, which
 * stops replays but not a user who clears site data.
 */
export function createEpochStore(options?: EpochStoreOptions): EpochStore;

export interface CollectOptions {
  /** Browser: the Web Storage to keep the install id in; default `localStorage`. */
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  /** Browser: the storage key; default `"licverify.install_id"`. */
  key?: string;
}

/**
 * Collects this device's fingerprint components for {@link fingerprintHash}.
 *
 * Node: OS identifiers read with the `os` module — `hostname`, `cpu_model`,
 * `total_memory`, `platform`, `arch`, the primary network interface's
 * `mac` (virtual interfaces skipped) and, on Linux, `machine_id` from
 * /etc/machine-id. Components that cannot be read are left out.
 *
 * Browser: `{install_id}`, a random 128-bit id created on first use and kept
 * in storage. Browsers expose no hardware identifiers, so this identifies a
 * browser profile, not a machine, and is lost when site data is cleared.
 *
 * Either way it is a convenience: pass your own components instead.
 */
export function collectFingerprint(options?: CollectOptions): Promise<FingerprintComponents>;

/** QuantumMeta's machine id on this machine, or why it is unavailable. */
export type QuantumMetaMachineId =
  | {
      /** 32 hex digits, as QuantumMeta's get_machine_id() returns it. */
      quantummeta_machine_id: string;
      /** `cache`: read from QuantumMeta's cache file; `computed`: computed as get_machine_id() computes it where there is none. */
      source: 'cache' | 'computed';
      /** QuantumMeta's cache file: the one read, or the one get_machine_id() would write. */
      path: string;
      reason?: undefined;
    }
  | {
      quantummeta_machine_id?: undefined;
      source?: undefined;
      /** QuantumMeta's cache file, where it is known. */
      path?: string;
      /** Why the id is unavailable. */
      reason: string;
    };

/**
 * Reports the machine id QuantumMeta's `get_machine_id()` (the PyPI
 * package quantummeta-license 1.1.1) gives on this machine, for this user
 * and environment: the id a `.qkey` is bound to, to pass as
 * {@link verifyQKey}'s `machineId`. Only a caller that asks for it gets
 * it: {@link collectFingerprint} never includes it, and it is no part of
 * any fingerprint hash.
 *
 * Node: read from QuantumMeta's cache file (`machine_id.json` in
 * platformdirs' user cache directory "quantummeta", or
 * `quantummeta_machine_id.json` in the temporary directory where that
 * cannot be made), at most 4096 bytes, parsed as Python's json module
 * parses it. Any process of the user can write that file, so the id is
 * only as strong as the file. Where there is no cache it is computed as
 * get_machine_id() computes it, on Linux only and only where every input
 * is reproducible (running `lsblk` and `uname -p`, as it does); otherwise
 * the result has a `reason` and no id. Nothing is written.
 * docs/formats.md ("QuantumMeta's machine id") has the rules, which the Go
 * and Python collectors follow too.
 *
 * Browser: always unavailable (a `reason`): a browser can read neither.
 *
 * ```ts
 * const qm = await collectQuantumMetaMachineId();
 * if (qm.quantummeta_machine_id !== undefined) {
 *   const r = verifyQKey(qkeyBytes, { keys, now: new Date(), machineId: qm.quantummeta_machine_id });
 *   console.log(r.valid, r.code);
 * } else {
 *   console.log('no QuantumMeta machine id here:', qm.reason);
 * }
 * ```
 */
export function collectQuantumMetaMachineId(): Promise<QuantumMetaMachineId>;
