// Turning a vector's request back into calls of the typed API, so that the
// vectors also check how the typed functions build frames: its document
// positional, its other members camelCase options, every part once as
// bytes and once as strings (when the bytes are UTF-8).

import { base64Strict, spans } from './fromjson.js';

// The typed function of each op that has one; the ops on a loaded set's
// handle are reached through the set loadRevocationSet returns.
export const functions = {
  canonicalize: 'canonicalize',
  fingerprint: 'fingerprintHash',
  status_proof: 'verifyStatusProof',
  revocation_set: 'verifyRevocationSet',
  revocation_load: 'loadRevocationSet',
  license: 'evaluateLicense',
  qkey: 'verifyQKey',
};

// Written out here rather than taken from the package, so that a wrong
// name in the generated table fails the test.
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

// header returns the typed value of a header member of the kind, or
// undefined when only a raw request can carry it (a wrong type, null, an
// integer the text spells otherwise than JavaScript would).
function header(kind, text) {
  const v = JSON.parse(text);
  switch (kind) {
    case 'string':
    case 'time':
      return typeof v === 'string' ? v : undefined;
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
    case 'bool':
      return typeof v === 'boolean' ? v : undefined;
    case 'int':
      // Only an integer spelled as JavaScript would write it (not 1.0 or 1e3).
      if (!/^-?\d+$/.test(text)) return undefined;
      // Beyond 2^53 a number would round; a bigint keeps the text.
      return Number.isSafeInteger(v) ? v : BigInt(text);
  }
  return undefined;
}

/**
 * typedCalls returns {fn, forms: [{form, doc, options}]} for a vector's
 * request: form "bytes" (every part a Uint8Array) and, when every part is
 * UTF-8, form "string". It returns {fn: null, why} when the request cannot
 * be written with the typed API: an op without a typed function, a member
 * the table lacks, a value of the wrong type.
 */
export function typedCalls(requestText, table) {
  const root = spans(requestText);
  const raw = (node) => requestText.slice(node.start, node.end);
  const op = JSON.parse(raw(root.members.get('op')));
  const fn = functions[op];
  if (fn === undefined) return { fn: null, why: `op ${op} has no typed function` };
  const spec = table.ops[op];
  const bytes = { doc: undefined, options: {} };
  const strings = { doc: undefined, options: {} };
  let textual = true;
  const seen = new Set();
  const put = (form, member, v) => {
    if (member === spec.document) form.doc = v;
    else form.options[camel(member)] = v;
  };
  for (const [name, node] of root.members) {
    if (name === 'op') continue;
    const b64 = name.endsWith('_b64');
    const member = b64 ? name.slice(0, -4) : name;
    const m = Object.hasOwn(spec.members, member) ? spec.members[member] : undefined;
    if (m === undefined || m.kind === 'handle') return { fn: null, why: `member ${name}` };
    // Text and base64 of one member: two parts, which one argument cannot be.
    if (seen.has(member)) return { fn: null, why: `${member} given twice` };
    seen.add(member);
    if (m.kind === 'bytes' || m.kind === 'bytes[]') {
      const value = JSON.parse(raw(node));
      const items = m.kind === 'bytes[]' ? value : [value];
      const data = items.map((s) => (b64 ? base64Strict(s) : encoder.encode(s)));
      const text = data.map((d) => {
        try {
          return utf8.decode(d);
        } catch {
          textual = false;
          return null;
        }
      });
      put(bytes, member, m.kind === 'bytes[]' ? data : data[0]);
      put(strings, member, m.kind === 'bytes[]' ? text : text[0]);
      continue;
    }
    const text = raw(node);
    const v = header(m.kind, text);
    if (v === undefined) return { fn: null, why: `${name} ${text}` };
    put(bytes, member, v);
    put(strings, member, v);
  }
  const forms = [{ form: 'bytes', ...bytes }];
  if (textual) forms.push({ form: 'string', ...strings });
  // fingerprintHash takes the components alone.
  for (const f of forms) if (op === 'fingerprint') f.options = undefined;
  return { fn, forms };
}

/**
 * withPad applies a vector's padding to a typed call's part: the same
 * tabs fromjson.js appends to the frame's part.
 */
export function withPad(call, pad, spec) {
  if (pad === undefined) return call;
  const grow = (v) => {
    if (typeof v === 'string') return v + '\t'.repeat(pad.to - encoder.encode(v).length);
    const out = new Uint8Array(pad.to).fill(0x09);
    out.set(v);
    return out;
  };
  if (pad.member === spec.document) return { ...call, doc: grow(call.doc) };
  const key = camel(pad.member);
  return { ...call, options: { ...call.options, [key]: grow(call.options[key]) } };
}

