// Request frames of the module's ABI (wasm/ABI.md) built from the typed
// API's arguments, over the generated table of ops (ops.js, from
// internal/api/ops.json): each op's positional document and its options,
// camelCase here and snake_case on the wire, each of a kind that says how
// it travels. Anything the table lacks is misuse and throws a TypeError
// before the module is called.
//
//	frame  = "LVR2" header-length(uint32 LE) header part*
//	part   = name-length(uint8) name data-length(uint32 LE) data
//
// Documents travel as parts: their exact bytes. Bytes given are sent as
// they are, never decoded here; strings are encoded, never repaired: what
// a document holds is the module's to judge, so every runtime answers the
// same for it.

import { LicverifyError } from './errors.js';
import { ops } from './ops.js';

/** MAX_REQUEST is the largest frame the module accepts (internal/api MaxRequest). */
export const MAX_REQUEST = (64 << 20) + (8 << 20);

const MAGIC = [0x4c, 0x56, 0x52, 0x32]; // "LVR2"
const encoder = new TextEncoder();

// Parts that are configuration rather than signed content: given as a
// parsed value they are JSON.stringify'd, which cannot change what a
// signature covers. A signed document given as an object is refused.
const configuration = new Set(['keys', 'state', 'fingerprint', 'components']);

const isPart = (m) => m.kind === 'bytes' || m.kind === 'bytes[]';

/** bytesOf returns a view of bytes given as any buffer or view, or null. */
export function bytesOf(v) {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return null;
}

// A surrogate code unit that is not half of a pair.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * encodeText returns the bytes of a string. A well-formed string is UTF-8.
 * One with a lone surrogate is encoded as generalized UTF-8 (WTF-8): the
 * surrogate becomes its three-byte ED A0..BF form, which is not UTF-8, so
 * the module refuses it as native Go refuses those bytes. Replacing it
 * with U+FFFD instead would hand the verifier text nobody sent.
 */
export function encodeText(s) {
  if (s.isWellFormed()) return encoder.encode(s);
  const chunks = [];
  let last = 0;
  for (const m of s.matchAll(loneSurrogate)) {
    chunks.push(encoder.encode(s.slice(last, m.index)));
    const c = s.charCodeAt(m.index);
    chunks.push(Uint8Array.of(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)));
    last = m.index + 1;
  }
  chunks.push(encoder.encode(s.slice(last)));
  return concat(chunks);
}

function concat(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
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

// part returns the bytes of a bytes member: a string encoded, bytes as
// they are, a configuration value as its JSON text.
function part(name, v, member) {
  if (typeof v === 'string') return encodeText(v);
  const b = bytesOf(v);
  if (b !== null) return b;
  if (configuration.has(member)) {
    if (v === null || typeof v !== 'object') throw new TypeError(`licverify: ${name} must be a JSON object, its text or its bytes`);
    return encodeText(JSON.stringify(v));
  }
  throw new TypeError(`licverify: ${name} must be given as its exact text (a string) or bytes, not a parsed object`);
}

// headerValue returns the JSON text of a header member of the kind, after
// checking the value's type. Bounds are the module's to check.
function headerValue(kind, name, v) {
  const bad = (want) => new TypeError(`licverify: ${name} must be ${want}`);
  switch (kind) {
    case 'string':
      if (typeof v !== 'string') throw bad('a string');
      // A lone surrogate becomes a \ud800 escape, which the module refuses
      // as a bad request: an id with one cannot have been issued.
      return JSON.stringify(v);
    case 'strings':
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw bad('an array of strings');
      return JSON.stringify(v);
    case 'time':
      if (v instanceof Date) return JSON.stringify(rfc3339(v));
      if (typeof v !== 'string') throw bad('a Date or an RFC 3339 string');
      return JSON.stringify(v);
    case 'int':
      // Every integer Number up to 2^53 in magnitude is exact, 2^53 itself
      // included: it is the largest epoch a document carries, and a
      // store_epoch of 2^53 must go back as min_epoch. Beyond it a Number
      // is no longer the integer it prints as; a bigint says exactly.
      // Bounds are the module's to check (a bad request, as elsewhere).
      if (typeof v === 'bigint') return String(v);
      if (!Number.isInteger(v) || Math.abs(v) > 2 ** 53) throw bad('an integer within ±2^53, or a bigint');
      return String(v);
    case 'bool':
      if (typeof v !== 'boolean') throw bad('a boolean');
      return String(v);
  }
  throw new Error(`licverify: ${name} has kind ${kind}, which this package does not know`);
}

// add puts a member's value into the request: parts for the bytes kinds,
// a header member otherwise.
function add(req, member, m, name, v) {
  if (m.kind === 'bytes') {
    req.parts.push([member, part(name, v, member)]);
  } else if (m.kind === 'bytes[]') {
    if (!Array.isArray(v)) throw new TypeError(`licverify: ${name} must be an array of documents`);
    v.forEach((d, i) => req.parts.push([member, part(`${name}[${i}]`, d, member)]));
  } else {
    req.header.push([member, headerValue(m.kind, name, v)]);
  }
}

/**
 * A request before framing: the op, its header members as JSON texts and
 * its parts, in order.
 * @typedef {{op: string, header: Array<[string, string]>, parts: Array<[string, Uint8Array]>}} Request
 */

/**
 * buildRequest returns the request of a typed call: doc is the op's
 * document (absent for an op without one), options the camelCase options
 * of the table.
 * @returns {Request}
 */
export function buildRequest(op, doc, options) {
  const spec = Object.hasOwn(ops, op) ? ops[op] : undefined;
  if (spec === undefined) throw new Error(`licverify: no op ${op}`);
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError('licverify: options must be an object');
  }
  const req = { op, header: [], parts: [] };
  if (spec.document !== null) {
    if (doc === undefined) throw new TypeError(`licverify: ${spec.document} is required`);
    add(req, spec.document, spec.members[spec.document], spec.document, doc);
  }
  for (const [key, value] of Object.entries(options ?? {})) {
    // Own members only: "constructor" or "toString" are not options.
    if (!Object.hasOwn(spec.options, key)) {
      const known = Object.keys(spec.options).join(', ') || 'none';
      throw new TypeError(`licverify: unknown option ${JSON.stringify(key)} (options: ${known})`);
    }
    if (value === undefined) continue;
    const member = spec.options[key];
    add(req, member, spec.members[member], key, value);
  }
  return req;
}

// decodeBase64 reads standard base64 with its padding, as Go's
// StdEncoding.Strict does: anything else is refused, not guessed at.
function decodeBase64(name, s) {
  const bad = () => new TypeError(`licverify: ${name} is not standard base64`);
  if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw bad();
  let bin;
  try {
    bin = atob(s);
  } catch {
    throw bad();
  }
  if (btoa(bin) !== s) throw bad(); // non-zero bits after the last byte
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function jsonText(name, v) {
  if (typeof v === 'bigint') return String(v);
  const t = JSON.stringify(v);
  if (t === undefined) throw new TypeError(`licverify: ${name} has no JSON form`);
  return t;
}

/**
 * requestFromObject frames a request written as one object, the test
 * vectors' JSON form (api.FromJSON): the members of the op's table that
 * are parts are given as a string (the document's text, encoded as
 * encodeText does), bytes, or as "<member>_b64", standard base64 (arrays
 * of them for bytes[]); every other member goes into the header as its
 * JSON text, as does anything the table lacks, for the module to refuse.
 * @returns {Request}
 */
export function requestFromObject(obj) {
  const spec = typeof obj.op === 'string' && Object.hasOwn(ops, obj.op) ? ops[obj.op] : undefined;
  const req = { op: obj.op, header: [], parts: [] };
  // Go's FromJSON takes the members in name order; parts of one name keep theirs.
  for (const name of Object.keys(obj).sort((a, b) => byName([a], [b]))) {
    const v = obj[name];
    if (name === 'op' || v === undefined) continue;
    const b64 = name.endsWith('_b64');
    const member = b64 ? name.slice(0, -4) : name;
    const m = spec !== undefined && Object.hasOwn(spec.members, member) ? spec.members[member] : undefined;
    if (m === undefined || !isPart(m)) {
      req.header.push([name, jsonText(name, v)]);
      continue;
    }
    const one = (item, what) => {
      if (b64) return decodeBase64(what, item);
      if (typeof item === 'string') return encodeText(item);
      const b = bytesOf(item);
      if (b === null) throw new TypeError(`licverify: ${what} must be a string or bytes`);
      return b;
    };
    if (m.kind === 'bytes[]') {
      if (!Array.isArray(v)) throw new TypeError(`licverify: ${name} must be an array`);
      v.forEach((item, i) => req.parts.push([member, one(item, `${name}[${i}]`)]));
    } else {
      req.parts.push([member, one(v, name)]);
    }
  }
  return req;
}

// byName orders header members as Go's api.Request does (by name, in
// UTF-8 byte order), so that the same request has the same header, and a
// message that points into it the same offset, in every runtime.
function byName([a], [b]) {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * encodeFrame returns the frame of a request, with extra header members
 * (a loaded set's handle). The header is "op" then the members' JSON texts
 * by name; JSON.stringify never writes a lone surrogate raw, so the header
 * is always UTF-8.
 * @param {Request} req
 * @param {Array<[string, string]>} [extra]
 */
export function encodeFrame(req, extra = []) {
  const members = req.op === undefined ? [] : [`"op":${jsonText('op', req.op)}`];
  for (const [name, text] of [...req.header, ...extra].sort(byName)) members.push(`${JSON.stringify(name)}:${text}`);
  const header = encoder.encode(`{${members.join(',')}}`);
  const names = req.parts.map(([name]) => {
    const b = encoder.encode(name);
    if (b.length === 0 || b.length > 64) throw new TypeError(`licverify: part name ${JSON.stringify(name)} is not 1 to 64 bytes`);
    return b;
  });
  let size = 8 + header.length;
  req.parts.forEach(([, data], i) => {
    size += 5 + names[i].length + data.byteLength;
  });
  // Refused before a buffer of that size is made; the module would refuse it too.
  if (size > MAX_REQUEST) {
    throw new LicverifyError(`licverify: bad request: request is ${size} bytes, limit is ${MAX_REQUEST}`);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, header.length, true);
  out.set(header, 8);
  let at = 8 + header.length;
  req.parts.forEach(([, data], i) => {
    out[at] = names[i].length;
    out.set(names[i], at + 1);
    at += 1 + names[i].length;
    view.setUint32(at, data.byteLength, true);
    out.set(data, at + 4);
    at += 4 + data.byteLength;
  });
  return out;
}
