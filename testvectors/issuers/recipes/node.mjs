// Signs a status proof in RFC 8785 form with Node's own crypto: no
// dependencies.
//
//   node node.mjs OUT

import { createPrivateKey, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';

// The secret key of RFC 8032 §7.1 TEST 1: a published test key, never a real one.
const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });

const proof = {
  license_id: 'LIC-2026-0042',
  status: 'valid',
  checked_at: '2026-03-01T09:00:00Z',
  valid_until: '2026-03-04T09:00:00Z',
  revocation_epoch: 7,
  entitlements: ['export', 'größe:xl', '日本語', '🚀 turbo'],
  issuer_kid: 'vendor-2026',
  customer: 'Zoë Müller & Söhne <Köln/Bonn>',
  labels: { 'ﬁ': 'ligature', '😀': 'grinning' },
  note: 'line\u2028separator',
};

// RFC 8785 for plain JSON data (what JSON.parse returns): JSON.stringify
// writes strings and numbers as §3.2.2 asks, but keeps insertion order
// (integer-like names first), so members are sorted here; sort() compares
// UTF-16 code units, the order of §3.2.3.
const canonicalize = (v) =>
  v === null || typeof v !== 'object'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? `[${v.map(canonicalize).join(',')}]`
      : `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonicalize(v[k])}`)
          .join(',')}}`;

const signature = sign(null, Buffer.from(canonicalize(proof), 'utf8'), key).toString('base64');
writeFileSync(process.argv[2], canonicalize({ ...proof, signature }));
