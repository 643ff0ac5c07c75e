// Requests of the module's ABI built from the typed API's arguments. Each
// op lists its document member and its options, camelCase in JavaScript
// and snake_case on the wire, with the kind of value each one takes.
// Anything else is misuse and throws a TypeError before the module is
// called.

const utf8 = new TextDecoder('utf-8', { fatal: true });

// revocation_set and revocation_load take the same members.
const setOptions = {
  keys: ['keys', 'keys'],
  now: ['now', 'time'],
  deltas: ['deltas', 'docs'],
  minEpoch: ['min_epoch', 'int'],
  allowStale: ['allow_stale', 'bool'],
  skewSeconds: ['skew_seconds', 'int'],
  limit: ['limit', 'int'],
  lookup: ['lookup', 'strings'],
};

/**
 * Kinds of values:
 * - doc:    a document's exact text (string) or bytes; never an object,
 *           whose re-serialization could hide what was signed.
 * - docs:   an array of docs.
 * - base64: bytes of a binary file, sent as base64.
 * - keys:   a keyring: its text (JSON array, JWKS or PEM), bytes, or the
 *           JSON value (configuration, so re-serializing is harmless).
 * - json:   a JSON value sent as its text (a string is sent as is).
 * - time:   a Date or an RFC 3339 string.
 * - string, strings (an array of them), int, bool: as is.
 */
export const ops = {
  canonicalize: { doc: 'document', options: { limit: ['limit', 'int'] } },
  fingerprint: { doc: 'components', docKind: 'json', options: {} },
  status_proof: {
    doc: 'proof',
    options: {
      keys: ['keys', 'keys'],
      now: ['now', 'time'],
      licenseId: ['license_id', 'string'],
      fingerprint: ['fingerprint', 'json'],
      minEpoch: ['min_epoch', 'int'],
      maxTtlSeconds: ['max_ttl_seconds', 'int'],
      skewSeconds: ['skew_seconds', 'int'],
      limit: ['limit', 'int'],
    },
  },
  revocation_set: {
    doc: 'set',
    options: setOptions,
  },
  revocation_load: {
    doc: 'set',
    options: setOptions,
  },
  revocation_apply: {
    doc: 'deltas',
    docKind: 'docs',
    options: {
      keys: ['keys', 'keys'],
      now: ['now', 'time'],
      minEpoch: ['min_epoch', 'int'],
      allowStale: ['allow_stale', 'bool'],
      skewSeconds: ['skew_seconds', 'int'],
      limit: ['limit', 'int'],
    },
  },
  revocation_lookup: { doc: 'ids', docKind: 'strings', options: { now: ['now', 'time'] } },
  license: {
    doc: 'license',
    options: {
      keys: ['keys', 'keys'],
      now: ['now', 'time'],
      productId: ['product_id', 'string'],
      fingerprintHash: ['fingerprint_hash', 'string'],
      state: ['state', 'json'],
      releaseDate: ['release_date', 'time'],
    },
  },
  qkey: {
    doc: 'qkey',
    docKind: 'base64',
    options: {
      keys: ['keys', 'keys'],
      now: ['now', 'time'],
      password: ['password', 'string'],
      package: ['package', 'string'],
      machineId: ['machine_id', 'string'],
      allowUnsigned: ['allow_unsigned', 'bool'],
      limit: ['limit', 'int'],
    },
  },
};

/** NotUTF8 marks bytes that are not UTF-8. */
class NotUTF8 extends Error {}

function bytesOf(v) {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return null;
}

/**
 * decodeText returns a string, or the UTF-8 text of bytes.
 * @returns {string | null} null when v is neither
 */
export function decodeText(v) {
  if (typeof v === 'string') return v;
  const b = bytesOf(v);
  if (b === null) return null;
  try {
    return utf8.decode(b);
  } catch {
    throw new NotUTF8();
  }
}

function base64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/**
 * rfc3339 formats a Date as RFC 3339 UTC, with milliseconds only when it
 * has some: the module echoes the precision it was given.
 */
export function rfc3339(d) {
  if (Number.isNaN(d.getTime())) throw new TypeError('licverify: invalid Date');
  const s = d.toISOString();
  return s.endsWith('.000Z') ? s.slice(0, -5) + 'Z' : s;
}

function convert(kind, name, v) {
  const bad = (want) => new TypeError(`licverify: ${name} must be ${want}`);
  switch (kind) {
    case 'doc': {
      const t = decodeText(v);
      if (t === null) {
        throw bad('given as its exact text (a string) or bytes, not a parsed object');
      }
      return t;
    }
    case 'docs':
      if (!Array.isArray(v)) throw bad('an array of documents');
      return v.map((d, i) => convert('doc', `${name}[${i}]`, d));
    case 'base64': {
      const b = bytesOf(v);
      if (b === null) throw bad('given as the file\'s bytes (a Uint8Array or ArrayBuffer)');
      return base64(b);
    }
    case 'keys':
    case 'json': {
      if (typeof v === 'string') return v;
      const t = bytesOf(v) ? decodeText(v) : null;
      if (t !== null) return t;
      if (v === null || typeof v !== 'object') throw bad('a JSON object or its text');
      return JSON.stringify(v);
    }
    case 'time':
      if (v instanceof Date) return rfc3339(v);
      if (typeof v !== 'string') throw bad('a Date or an RFC 3339 string');
      return v;
    case 'string':
      if (typeof v !== 'string') throw bad('a string');
      return v;
    case 'strings':
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw bad('an array of strings');
      return v;
    case 'int':
      if (typeof v === 'bigint') {
        if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('a non-negative safe integer');
        return Number(v);
      }
      if (!Number.isSafeInteger(v)) throw bad('a safe integer');
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw bad('a boolean');
      return v;
  }
  throw new Error(`licverify: unknown kind ${kind}`);
}

/**
 * buildRequest returns {request} for the op, or {result} when the answer
 * is known without the module: document bytes that are not UTF-8 cannot
 * travel in a JSON request, and are malformed_json by the spec's first
 * rule.
 */
export function buildRequest(op, doc, options) {
  const spec = ops[op];
  if (spec === undefined) throw new Error(`licverify: no op ${op}`);
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError('licverify: options must be an object');
  }
  const request = { op };
  // what names the value being converted, for a message about its bytes.
  let what = 'document';
  try {
    request[spec.doc] = convert(spec.docKind ?? 'doc', spec.doc, doc);
    for (const [key, value] of Object.entries(options ?? {})) {
      what = key;
      // Own members only: "constructor" or "toString" are not options.
      const member = Object.hasOwn(spec.options, key) ? spec.options[key] : undefined;
      if (member === undefined) {
        const known = Object.keys(spec.options).join(', ') || 'none';
        throw new TypeError(`licverify: unknown option ${JSON.stringify(key)} (options: ${known})`);
      }
      if (value === undefined) continue;
      request[member[0]] = convert(member[1], key, value);
    }
  } catch (err) {
    if (!(err instanceof NotUTF8)) throw err;
    return { result: { valid: false, code: 'malformed_json', message: `${what} is not valid UTF-8` } };
  }
  return { request };
}
