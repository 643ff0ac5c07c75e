// The dashboard's sample data: a keyring, a revocation set and a list of
// status proofs and license.key files, signed with a fixed-seed Ed25519
// key. Every document is built here from a plan that also says what the
// dashboard must show for it (verdict, code, what the set says, expiry and
// refresh point), so the browser tests compare the page with the data's
// construction, not with the page itself.
//
//	node examples/dashboard/gen.mjs          rewrites examples/dashboard/data/
//	node examples/dashboard/gen.mjs --check  fails if data/ differs from what it writes
//
// Signing: Ed25519 (node:crypto, deterministic) over the RFC 8785 form of
// the document without `signature`, computed by the package's own
// canonicalize; the document is then written in its canonical form. The
// same inputs give the same bytes, every time. The key is a fixture: its
// seed is public.

import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, canonicalize } from '../../js/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = path.join(here, 'data');

/** The time the samples are checked at: every claim below is relative to it. */
export const NOW = '2026-03-01T12:00:00Z';
/** The product the licenses are for. */
export const PRODUCT = 'calcpro';
/** The issuer's key id, and one the keyring does not have. */
export const KID = 'dash-2026';
const ROGUE_KID = 'dash-rogue';
/** The revocation set's epoch; every proof is at this epoch. */
export const EPOCH = 12;

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const now = Date.parse(NOW);

// A time as the module writes it: UTC, Z, no fraction when there is none.
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

function keyFromSeed(label) {
  const seed = createHash('sha256').update(label).digest();
  const key = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  const pub = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(12);
  return { key, pub };
}
const issuer = keyFromSeed('licverify dashboard sample issuer key');
const rogue = keyFromSeed('licverify dashboard rogue key');

let ready = null;
const canonical = (value) => {
  const r = canonicalize(JSON.stringify(value));
  if (!r.valid) throw new Error(`canonicalize: ${r.code}: ${r.message}`);
  return r.canonical;
};

// signed returns the canonical text of doc signed with key: the
// signature covers the canonical form without `signature`.
function signed(doc, key = issuer.key) {
  const payload = canonical(doc);
  const signature = sign(null, Buffer.from(payload, 'utf8'), key).toString('base64');
  return canonical({ ...doc, signature }) + '\n';
}

// tamper changes one signed value of a signed text: the signature stays.
function tamper(text, from, to) {
  if (!text.includes(from)) throw new Error(`tamper: ${from} not in ${text}`);
  return text.replace(from, to);
}

/**
 * The proofs follow a pattern of 20 roles by index, so that any number of
 * them (the 40 of the sample, the 10,000 of `make bench`) has the same
 * mix: 14 valid, one in its grace period, one whose license the set
 * revokes, one the set suspends, one the proof itself says is revoked, one
 * expired and one tampered with.
 */
const roles = [...Array(14).fill('valid'), 'grace', 'set-revoked', 'set-suspended', 'revoked', 'expired', 'tampered'];

const SUSPENDED_UNTIL = iso(now + 10 * DAY);
const SUSPENSION_ENDED = iso(now - 9 * DAY);

// A proof and what the dashboard must show for it.
function proof(i, role) {
  const id = `LIC-${String(i + 1).padStart(5, '0')}`;
  const ttlHours = [24, 48, 72, 120, 168][i % 5];
  let checked = now - ((i * 7) % 20 + 1) * HOUR; // 1 to 20 hours ago
  if (role === 'expired') checked = now - (ttlHours + 6) * HOUR;
  if (role === 'not-yet-valid') checked = now + 2 * HOUR;
  const ttl = (role === 'ttl-too-long' ? 200 : ttlHours) * HOUR;
  const doc = {
    license_id: id,
    status: { grace: 'grace_period', revoked: 'revoked', 'status-expired': 'expired' }[role] ?? 'valid',
    checked_at: iso(checked),
    valid_until: iso(checked + ttl),
    revocation_epoch: EPOCH,
    entitlements: i % 3 === 0 ? ['feature:export', 'seats:5'] : ['seats:1'],
    issuer_kid: role === 'unknown-key' ? ROGUE_KID : KID,
  };
  let text = signed(doc, role === 'unknown-key' ? rogue.key : issuer.key);
  if (role === 'tampered') text = tamper(text, `"valid_until":"${doc.valid_until}"`, `"valid_until":"${iso(checked + ttl + 30 * DAY)}"`);
  // Claims (and so a license id, an expiry, a lookup) only once the signature verified.
  const authentic = role !== 'tampered' && role !== 'unknown-key';
  const code = {
    grace: 'ok',
    revoked: 'revoked',
    'status-expired': 'expired',
    expired: 'proof_expired',
    tampered: 'bad_signature',
    'unknown-key': 'unknown_key',
    'not-yet-valid': 'not_yet_valid',
    'ttl-too-long': 'ttl_too_long',
  }[role] ?? 'ok';
  const set = !authentic ? null : role === 'set-revoked' ? 'revoked' : role === 'set-suspended' ? 'suspended' : 'not_revoked';
  const expect = {
    name: `proof-${id}.json`,
    kind: 'status_proof',
    role,
    license_id: authentic ? id : null,
    verdict: code !== 'ok' || set === 'revoked' || set === 'suspended' ? 'rejected' : role === 'grace' ? 'warn' : 'valid',
    // The dashboard's code: the verifier's, else the set's, else the warning's.
    code: code !== 'ok' ? code : set === 'revoked' || set === 'suspended' ? set : role === 'grace' ? 'grace_period' : 'ok',
    set,
    expires: authentic ? doc.valid_until : null,
    // checked_at + 3/4 of the lifetime; absent from results whose times are not checked.
    refresh: authentic ? iso(checked + (ttl * 3) / 4) : null,
  };
  return { name: expect.name, text, expect };
}

// A license.key and what the dashboard must show for it.
function license(n, spec) {
  const id = `LIC-D-${String(n).padStart(4, '0')}`;
  const issued = spec.issued ?? '2026-01-05T00:00:00Z';
  const doc = {
    schema_version: 1,
    license_id: id,
    product_id: spec.product ?? PRODUCT,
    customer: { customer_id: `CUST-${String(n).padStart(3, '0')}`, name: spec.customer },
    plan: spec.plan ?? 'subscription',
    status: spec.status ?? 'ACTIVE',
    issued_at: issued,
    expires_at: spec.expires,
    updates_until: spec.plan === 'trial' ? null : spec.expires,
    trial: { trial_days: spec.trialDays ?? null },
    fingerprint: { mode: 'machine', bound: false, fingerprint_hash: null },
    policy: { check_interval_days: 30, warn_after_days: 180, max_offline_days: 365, max_transfers: 2 },
    meta: { notes: 'licverify dashboard sample' },
    signature_alg: 'ed25519',
  };
  let text = signed(doc);
  if (spec.tampered) text = tamper(text, `"expires_at":"${spec.expires}"`, '"expires_at":"2099-01-01T00:00:00Z"');
  const authentic = !spec.tampered;
  const set = !authentic ? null : spec.setRevoked ? 'revoked' : 'not_revoked';
  const code = spec.code ?? 'ok';
  const warn = spec.warn ?? null;
  // A first activation at NOW: the next check is due check_interval_days later.
  const evaluated = authentic;
  const expect = {
    name: `${id}.license.key`,
    kind: 'license',
    role: spec.role,
    license_id: authentic ? id : null,
    verdict: code !== 'ok' || set === 'revoked' ? 'rejected' : warn ? 'warn' : 'valid',
    code: code !== 'ok' ? code : set === 'revoked' ? 'revoked' : warn ?? 'ok',
    set,
    expires: !evaluated ? null : spec.trialDays ? iso(Math.min(Date.parse(spec.expires), now + spec.trialDays * DAY)) : spec.expires,
    // The state to write is absent for a license of another product.
    refresh: !evaluated || code === 'product_mismatch' ? null : iso(now + 30 * DAY),
  };
  return { name: expect.name, text, expect };
}

const licenses = [
  { role: 'run', customer: 'Northwind Traders', expires: '2026-09-01T00:00:00Z' },
  { role: 'warn', customer: 'Contoso Ltd', status: 'ACTIVE_WARN', expires: '2026-07-01T00:00:00Z', warn: 'active_warn' },
  { role: 'status-expired', customer: 'Fabrikam Inc', status: 'EXPIRED', expires: '2026-12-31T00:00:00Z', code: 'expired' },
  { role: 'expired', customer: 'Tailspin Toys', expires: '2026-02-15T00:00:00Z', issued: '2025-02-15T00:00:00Z', code: 'expired' },
  { role: 'trial', customer: 'Wide World Importers', plan: 'trial', status: 'TRIAL', trialDays: 14, expires: '2026-12-31T00:00:00Z' },
  { role: 'other-product', customer: 'Adventure Works', product: 'otherapp', expires: '2026-10-01T00:00:00Z', code: 'product_mismatch' },
  { role: 'tampered', customer: 'Litware Inc', expires: '2026-03-20T00:00:00Z', tampered: true, code: 'bad_signature' },
  { role: 'set-revoked', customer: 'Proseware Inc', plan: 'perpetual', expires: '2027-01-01T00:00:00Z', setRevoked: true },
  { role: 'revoked', customer: 'Woodgrove Bank', status: 'REVOKED', expires: '2026-11-01T00:00:00Z', code: 'revoked' },
  { role: 'run-soon', customer: 'Lucerne Publishing', expires: '2026-03-20T00:00:00Z' },
];

// Proofs of roles outside the pattern, appended to the sample.
const extraRoles = ['unknown-key', 'not-yet-valid', 'ttl-too-long', 'status-expired', 'suspension-ended'];

/**
 * build returns the sample: {now, product_id, keyring, revocation_set,
 * documents: [{name, text}], expected: [...]} with `proofs` proofs in the
 * pattern above, and unless `sample` is false the extra proofs and the
 * licenses.
 */
export async function build({ proofs = 40, sample = true } = {}) {
  ready ??= init({ wasm: new URL('../../host/licverify.wasm', import.meta.url) });
  await ready;
  const items = [];
  for (let i = 0; i < proofs; i++) items.push(proof(i, roles[i % roles.length]));
  if (sample) {
    extraRoles.forEach((role, k) => items.push(proof(proofs + k, role)));
    licenses.forEach((spec, k) => items.push(license(k + 1, spec)));
  }
  // The set: what the roles say, and a suspension that has ended (its
  // license is not revoked any more).
  const revoked = items.filter((x) => x.expect.role === 'set-revoked').map((x) => x.expect.license_id);
  const suspended = items
    .filter((x) => x.expect.role === 'set-suspended' || x.expect.role === 'suspension-ended')
    .map((x) => ({ license_id: x.expect.license_id, until: x.expect.role === 'suspension-ended' ? SUSPENSION_ENDED : SUSPENDED_UNTIL }));
  const set = signed({
    epoch: EPOCH,
    issued_at: iso(now - 6 * HOUR),
    valid_until: iso(now + 7 * DAY - 6 * HOUR),
    issuer_kid: KID,
    revoked_ids: revoked,
    suspended,
  });
  const keyring = JSON.stringify([{ kid: KID, alg: 'ed25519', public_key: issuer.pub.toString('base64') }]) + '\n';
  for (const x of items) {
    if (x.expect.set === 'suspended') x.expect.until = SUSPENDED_UNTIL;
  }
  return {
    now: NOW,
    product_id: PRODUCT,
    keyring,
    revocation_set: set,
    documents: items.map(({ name, text }) => ({ name, text })),
    expected: items.map((x) => x.expect),
  };
}

/**
 * bundle returns the files of a sample as the dashboard loads them, by
 * name: the keyring, the revocation set, and `<name>.json` listing the
 * documents (their exact texts) with the time to check them at and the
 * names of the other two.
 */
export function bundle(s, name = 'samples', prefix = '') {
  const list = {
    about: 'licverify dashboard sample, written by examples/dashboard/gen.mjs: the documents (exact texts) to verify at `now`, with the keyring and revocation set beside this file',
    now: s.now,
    product_id: s.product_id,
    keyring: `${prefix}keyring.json`,
    revocation_set: `${prefix}revocation-set.json`,
    documents: s.documents,
  };
  return {
    [`${prefix}keyring.json`]: s.keyring,
    [`${prefix}revocation-set.json`]: s.revocation_set,
    [`${name}.json`]: JSON.stringify(list, null, 1) + '\n',
  };
}

/** files returns the data/ files of the sample, by name. */
export async function files() {
  return bundle(await build());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const want = await files();
  if (process.argv.includes('--check')) {
    const stale = Object.entries(want).filter(([name, text]) => {
      try {
        return readFileSync(path.join(dataDir, name), 'utf8') !== text;
      } catch {
        return true;
      }
    });
    if (stale.length) {
      console.error(`examples/dashboard/data is stale: ${stale.map(([n]) => n).join(', ')} (run node examples/dashboard/gen.mjs)`);
      process.exit(1);
    }
  } else {
    mkdirSync(dataDir, { recursive: true });
    for (const [name, text] of Object.entries(want)) writeFileSync(path.join(dataDir, name), text);
    console.log(`wrote ${Object.keys(want).join(', ')} to ${path.relative(process.cwd(), dataDir) || '.'}`);
  }
}
