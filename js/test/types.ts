// Type tests for index.d.ts, compiled by `npm test` (test/types.test.js)
// with `tsc --strict --noEmit`. Nothing here runs. Each `@ts-expect-error`
// line must be an error — TypeScript reports a directive that has nothing
// to suppress — so these lines prove that a claim is NOT available before
// its result is narrowed; the lines after each narrowing prove that it is.

import {
  init,
  createVerifier,
  verifyStatusProof,
  verifyRevocationSet,
  loadRevocationSet,
  applyRevocationDelta,
  evaluateLicense,
  verifyQKey,
  canonicalize,
  fingerprintHash,
  collectQuantumMetaMachineId,
  plan,
  accept,
  createSession,
  createSessionStore,
  httpTransport,
  LicverifyError,
  ModuleCrash,
  type Code,
  type LicenseReason,
  type LicenseState,
  type LookupResult,
  type RejectionCode,
  type StatusProofResult,
  type RevocationSetResult,
  type SessionReport,
  type FetchOutcome,
  type Transport,
  type SessionStore,
} from 'licverify';

declare const text: string;
declare const keys: string;
const now = new Date();

// Type-level equality, for the discriminants themselves.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_: T) => {};

await init();

// ---------------------------------------------------------------- status proofs
{
  const r = verifyStatusProof(text, { keys, now });
  // @ts-expect-error valid_until may be absent (a forged proof has no claims)
  const until: string = r.valid_until;
  // @ts-expect-error refresh_after may be absent
  const refresh: string = r.refresh_after;
  // @ts-expect-error store_epoch may be absent
  const epoch: number = r.store_epoch;
  // @ts-expect-error entitlements may be absent
  r.entitlements.includes('feature:export');
  // Reading a claim that may be absent is fine, as an optional value.
  const maybe: string | undefined = r.valid_until;

  if (r.valid) {
    const v: string = r.valid_until;
    const c: string = r.checked_at;
    const id: string = r.license_id;
    const e: string[] = r.entitlements;
    const ra: string = r.refresh_after;
    const se: number = r.store_epoch;
    const ep: number = r.epoch;
    const kid: string = r.kid;
    const bound: boolean = r.bound;
    assertType<Equal<typeof r.code, 'ok'>>(true);
    assertType<Equal<typeof r.status, 'valid' | 'grace_period'>>(true);
    const grace: true | undefined = r.grace;
    // @ts-expect-error a valid proof never has status "revoked"
    const revoked: 'revoked' = r.status;
  } else {
    assertType<Equal<typeof r.code, RejectionCode>>(true);
    // @ts-expect-error a rejection's claims stay optional
    const v: string = r.valid_until;
    // A rejection after the signature carries the signed status as it is.
    const s: string | undefined = r.status;
  }
  // `code === 'ok'` narrows as `valid` does.
  if (r.code === 'ok') {
    const v: string = r.valid_until;
  }
}

// ---------------------------------------------------------------- revocation sets
{
  const r = verifyRevocationSet(text, { keys, now, lookup: ['LIC-1'] });
  // @ts-expect-error epoch may be absent
  const e: number = r.epoch;
  // @ts-expect-error store_epoch may be absent
  const se: number = r.store_epoch;
  if (r.valid) {
    const e2: number = r.epoch;
    const se2: number = r.store_epoch;
    const vu: string = r.valid_until;
    const n: number = r.revoked_count + r.suspended_count;
    // @ts-expect-error kid is absent when a key without a kid verified the set
    const kid: string = r.kid;
    // @ts-expect-error lookups are absent when no id was asked for
    r.lookups.length;
    for (const l of r.lookups ?? []) {
      // @ts-expect-error until only for a suspension
      const u: string = l.until;
      if (l.status === 'suspended') {
        const u2: string = l.until;
      }
    }
  }
  const applied = applyRevocationDelta(null as never, [text], { keys, now });
  if (applied.valid) {
    const se3: number = applied.store_epoch;
  }
}

// ---------------------------------------------------------------- loaded sets
{
  const loaded = loadRevocationSet(text, { keys, now });
  // @ts-expect-error the set is null unless the result is valid
  loaded.set.lookup('LIC-1', now);
  if (loaded.set !== null) {
    // Narrowing the set narrows the result with it.
    const e: number = loaded.result.store_epoch;
  }
  if (loaded.result.valid) {
    // Narrowing the nested result does not reach the set: test the set.
    // @ts-expect-error
    loaded.set.free();
  }
  const { result, set } = loadRevocationSet(text, { keys, now });
  if (set !== null) {
    const e: number = result.epoch;
    const answer = set.lookup(['LIC-1', 'LIC-2'], now);
    const ep: number = answer.epoch;
    // @ts-expect-error lookups are absent for set_expired
    answer.lookups.length;
    if (answer.valid) {
      const ls: LookupResult[] = answer.lookups;
    } else {
      const code: RejectionCode = answer.code;
    }
    set.free();
  }
}

// ---------------------------------------------------------------- licenses
{
  const r = evaluateLicense(text, { keys, now, productId: 'calcpro' });
  const d: 'run' | 'warn' | 'block' = r.decision;
  const reasons: LicenseReason[] = r.reasons;
  // @ts-expect-error state may be absent (refused before the evaluation)
  const s: LicenseState = r.state;
  // @ts-expect-error expires_at may be absent
  const x: string = r.expires_at;

  if (r.decision === 'run' || r.decision === 'warn') {
    const s2: LicenseState = r.state;
    const x2: string = r.expires_at;
    const t: string = r.trusted_time;
    const days: number = r.days_to_expiry + r.days_offline;
    const due: boolean = r.check_due;
    const plan: 'trial' | 'perpetual' | 'subscription' = r.plan;
    assertType<Equal<typeof r.valid, true>>(true);
    // @ts-expect-error updates_until is optional for trials
    const u: string = r.updates_until;
  }
  if (r.decision === 'block') {
    assertType<Equal<typeof r.valid, false>>(true);
    // @ts-expect-error a block keeps the claims optional
    const x3: string = r.expires_at;
    const maybe: string | undefined = r.expires_at;
  }
  if (r.valid) {
    assertType<Equal<typeof r.decision, 'run' | 'warn'>>(true);
    const s4: LicenseState = r.state;
  }
}

// ---------------------------------------------------------------- .qkey
{
  const r = verifyQKey(new Uint8Array(8), { keys, now });
  const has: boolean = r.has('export'); // always there
  // @ts-expect-error features may be absent
  r.features.length;
  if (r.valid) {
    const f: string[] = r.features;
    const left: number = r.days_left;
    const signed: boolean = r.signed;
  }
}

// ---------------------------------------------------------------- canonicalize, fingerprints
{
  const c = canonicalize('{"b":1}');
  // @ts-expect-error absent when rejected
  const t: string = c.canonical;
  if (c.valid) {
    const t2: string = c.canonical;
  }
  const f = fingerprintHash({ machine_id: 'm' });
  // @ts-expect-error absent when rejected
  const h: string = f.binding_hash;
  if (f.valid) {
    const h2: string = f.binding_hash;
    const m: string = f.machine_id;
  }
}

// ---------------------------------------------------------------- a Verifier has the same types
{
  const v = await createVerifier();
  const r: StatusProofResult = v.verifyStatusProof(text, { keys, now });
  if (r.valid) {
    const e: number = r.store_epoch;
  }
}

// ---------------------------------------------------------------- codes and errors
{
  const ok: Code = 'ok';
  // @ts-expect-error a rejection's code is never ok
  const bad: RejectionCode = 'ok';
  try {
    verifyStatusProof(text, { keys, now });
  } catch (err) {
    if (err instanceof LicverifyError) {
      const code: Code | undefined = err.code;
    } else if (err instanceof ModuleCrash) {
      const m: string = err.message;
    }
  }
  // @ts-expect-error documents are never parsed objects
  verifyStatusProof({ license_id: 'x' }, { keys, now });
  // @ts-expect-error keys and now are required
  verifyStatusProof(text, { keys });
}

// ---------------------------------------------------------------- QuantumMeta's machine id: an id or a reason
{
  const qm = await collectQuantumMetaMachineId();
  // @ts-expect-error the id may be unavailable
  const unsure: string = qm.quantummeta_machine_id;
  if (qm.quantummeta_machine_id !== undefined) {
    const source: 'cache' | 'computed' = qm.source;
    const path: string = qm.path;
  } else {
    const why: string = qm.reason;
  }
}

// ---------------------------------------------------------------- plan and accept
{
  const p = plan({ keys, now, proof: text, set: text, deltas: [text], licenseId: 'l', minEpoch: 3, syncedAt: now, proofFailures: 1, refreshPercent: 75 });
  // @ts-expect-error the proof may be absent or rejected
  const until: string = p.proof.valid_until;
  if (p.valid) {
    const until2: string = p.proof.valid_until;
    const epoch: number = p.proof.store_epoch;
  }
  const at: string = p.refresh_proof.at;
  const since: number | undefined = p.sync_set.since_epoch;
  const next: string = p.next_at;
  // @ts-expect-error a reason of the set's, not the proof's
  const r: typeof p.refresh_proof.reason = 'interval';
  const a = accept(new Uint8Array(), { keys, now, kind: 'revocation', set: text, minEpoch: 1n });
  // @ts-expect-error nothing to persist before a is known to be taken
  const what0: 'proof' | 'set' | 'delta' = a.persist;
  if (a.accept) {
    const what: 'proof' | 'set' | 'delta' = a.persist;
    const e: number = a.store_epoch;
  } else {
    const why: RejectionCode = a.code;
  }
  const res: StatusProofResult | RevocationSetResult = a.result;
  // @ts-expect-error kind is proof or revocation
  accept(text, { keys, now, kind: 'set' });
  // @ts-expect-error accept needs kind
  accept(text, { keys, now });
  const v = await createVerifier();
  const p2: typeof p = v.plan({ keys, now });
  const a2: typeof a = v.accept(text, { keys, now, kind: 'proof' });
}

// ---------------------------------------------------------------- sessions
{
  const store: SessionStore = createSessionStore({ dir: '/var/lib/app/license' });
  const transport: Transport = httpTransport({ baseUrl: 'https://issuer.example', apiKey: 'k', timeoutMs: 5000 });
  // Any object with the two fetches is a transport.
  const own: Transport = {
    fetchProof: async ({ licenseId, ttlHours }) => `{"license_id":"${licenseId}","ttl":${ttlHours}}`,
    fetchRevocation: async (since) => new Uint8Array(since ?? 0),
  };
  const session = createSession({ keys, licenseId: 'l', store, transport: own, policy: { syncIntervalSeconds: 60 }, now: () => new Date() });
  // @ts-expect-error a policy member plan has not
  createSession({ keys, licenseId: 'l', store, transport, policy: { refreshPercnt: 5 } });
  // @ts-expect-error licenseId is required
  createSession({ keys, store, transport });
  const report: SessionReport = await session.check();
  // @ts-expect-error the proof may be absent or rejected
  const until: string = report.proof.valid_until;
  if (report.valid) {
    const until2: string = report.proof.valid_until;
  } else {
    const why: string = report.code;
  }
  const done: FetchOutcome = report.refresh;
  if (done.done === 'refused') {
    const code: RejectionCode = done.code;
  } else if (done.done === 'failed') {
    const error: string = done.error;
    const status: number | undefined = done.status;
  }
  const epoch: number = report.stored_epoch;
  const offline: boolean = report.offline;
  const problems: string[] = report.problems;
  session.start({ onReport: (r) => console.log(r.next_at), onError: (e) => console.log(e) });
  session.stop();
  const last: SessionReport | null = session.lastReport;
}
