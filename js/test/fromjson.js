// The test vectors' JSON form of a request turned into a frame (wasm/ABI.md,
// "Running the test vectors"): this suite's own implementation of Go's
// api.FromJSON, written apart from the package's requests.js so that a
// mistake in one is caught by the other. It runs in Node and in the
// browser (no Node APIs), and works from the request's exact text: header
// members are copied as the file spells them, since a parsed and
// re-serialized value could lose a lone surrogate escape or an integer
// beyond 2^53 that the module must see.

const encoder = new TextEncoder();

/**
 * spans parses JSON text into nodes that keep their source span:
 * {start, end, members?: Map, items?: Array}. The text has already been
 * validated by JSON.parse, so only value boundaries are tracked. A member
 * name that appears twice is an error, as in Go's loader.
 */
export function spans(text) {
  let i = 0;
  const ws = () => {
    while (' \t\r\n'.includes(text[i]) && i < text.length) i++;
  };
  const string = () => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const value = () => {
    ws();
    const start = i;
    const c = text[i];
    const node = { start };
    if (c === '"') {
      string();
    } else if (c === '{') {
      node.members = new Map();
      i++;
      ws();
      while (text[i] !== '}') {
        ws();
        const key = string();
        ws();
        i++; // ':'
        if (node.members.has(key)) throw new Error(`member ${JSON.stringify(key)} appears twice at ${start}`);
        node.members.set(key, value());
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
    } else if (c === '[') {
      node.items = [];
      i++;
      ws();
      while (text[i] !== ']') {
        node.items.push(value());
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
    } else {
      while (i < text.length && !',]} \t\r\n'.includes(text[i])) i++;
    }
    node.end = i;
    return node;
  };
  return value();
}

// utf8Order compares strings as Go's sort.Strings does: by UTF-8 bytes.
function utf8Order(a, b) {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

// base64Strict decodes standard padded base64, refusing anything else.
export function base64Strict(s) {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new Error('not standard base64');
  const bin = atob(s);
  if (btoa(bin) !== s) throw new Error('base64 with non-zero trailing bits');
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

const isPart = (m) => m?.kind === 'bytes' || m?.kind === 'bytes[]';

/**
 * fromJSON returns the frame of a request in the vectors' JSON form.
 * @param {string} text the request's exact JSON text
 * @param {{member: string, to: number} | undefined} pad the vector's padding rule
 * @param {object} table internal/api/ops.json, parsed
 * @returns {Uint8Array}
 */
export function fromJSON(text, pad, table) {
  const root = spans(text);
  if (!root.members) throw new Error('request is not a JSON object');
  const raw = (node) => text.slice(node.start, node.end);
  const opNode = root.members.get('op');
  const opValue = opNode === undefined ? undefined : JSON.parse(raw(opNode));
  // As Go: an op that is not a string is sent as "", for the module to refuse.
  const op = typeof opValue === 'string' ? opValue : '';
  const spec = Object.hasOwn(table.ops, op) ? table.ops[op] : undefined;
  const header = [`"op":${JSON.stringify(op)}`];
  const parts = [];
  for (const name of [...root.members.keys()].sort(utf8Order)) {
    if (name === 'op') continue;
    const node = root.members.get(name);
    const b64 = name.endsWith('_b64');
    const base = b64 ? name.slice(0, -4) : name;
    const m = spec !== undefined && Object.hasOwn(spec.members, base) ? spec.members[base] : undefined;
    if (!isPart(m)) {
      header.push(`${JSON.stringify(name)}:${compact(raw(node))}`);
      continue;
    }
    let items = [node];
    if (m.kind === 'bytes[]') {
      if (!node.items) throw new Error(`${name}: want an array`);
      items = node.items;
    }
    items.forEach((item, i) => {
      const s = JSON.parse(raw(item));
      if (typeof s !== 'string') throw new Error(`${name}[${i}]: want a string`);
      // A lone surrogate escape cannot be bytes: Go's FromJSON refuses it too.
      if (!s.isWellFormed()) throw new Error(`${name}[${i}]: a lone surrogate; write such bytes as ${base}_b64`);
      parts.push([base, b64 ? base64Strict(s) : encoder.encode(s)]);
    });
  }
  if (pad !== undefined) {
    const at = parts.filter(([n]) => n === pad.member);
    if (at.length !== 1 || at[0][1].length > pad.to) throw new Error(`pad: ${pad.member} is not one part of at most ${pad.to} bytes`);
    const data = new Uint8Array(pad.to).fill(0x09);
    data.set(at[0][1]);
    at[0][1] = data;
  }
  return frame(encoder.encode(`{${header.join(',')}}`), parts);
}

/**
 * compact drops the whitespace between the tokens of JSON text and keeps
 * every token as spelled (a lone surrogate escape, a big integer), as Go's
 * json.Compact does in FromJSON: the vector file's layout is not part of
 * the request.
 */
export function compact(text) {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
      out += c;
    }
  }
  return out;
}

/** frame lays out a header and parts: "LVR2" len header (namelen name len data)*. */
export function frame(header, parts) {
  let size = 8 + header.length;
  for (const [name, data] of parts) size += 5 + name.length + data.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(encoder.encode('LVR2'));
  view.setUint32(4, header.length, true);
  out.set(header, 8);
  let at = 8 + header.length;
  for (const [name, data] of parts) {
    out[at] = name.length;
    out.set(encoder.encode(name), at + 1);
    at += 1 + name.length;
    view.setUint32(at, data.length, true);
    out.set(data, at + 4);
    at += 4 + data.length;
  }
  return out;
}

/**
 * splitFrame reads a frame back: {header (parsed), headerText,
 * headerBytes, parts: [[name, data]]}, for tests that check what the
 * package sent.
 */
export function splitFrame(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== 'LVR2') throw new Error('no LVR2 magic');
  const hn = view.getUint32(4, true);
  const headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + hn));
  const parts = [];
  let at = 8 + hn;
  while (at < bytes.length) {
    const nn = bytes[at];
    const name = new TextDecoder().decode(bytes.subarray(at + 1, at + 1 + nn));
    at += 1 + nn;
    const dn = view.getUint32(at, true);
    parts.push([name, bytes.subarray(at + 4, at + 4 + dn)]);
    at += 4 + dn;
  }
  if (at !== bytes.length) throw new Error('frame ends inside a part');
  return { header: JSON.parse(headerText), headerText, headerBytes: bytes.subarray(8, 8 + hn), parts };
}
