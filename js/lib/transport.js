// The built-in transport of a session (docs/lifecycle.md, "The
// transport"): the seeds' HTTP API over fetch, the same in Node 20+ and
// browsers. It only moves bytes: what comes back is judged by the module's
// accept op, never here.

import { bytesOf, encodeText } from './requests.js';

const MiB = 1 << 20;

/** The largest answers read: a status proof, and a revocation set or delta. */
export const MAX_PROOF_BYTES = MiB;
export const MAX_SET_BYTES = 64 * MiB;

// How much of an error body's detail goes into a message.
const MAX_DETAIL = 512;

/**
 * httpTransport returns {fetchProof, fetchRevocation} over the seeds' API:
 * POST {baseUrl}/api/v1/v2/status-proof and GET
 * {baseUrl}/api/v1/v2/revocation[?since_epoch=N], with the bearer apiKey.
 * Each exchange, body included, is cut off after timeoutMs (default
 * 10 000) and a body over its bound (1 MiB for a proof, 64 MiB for a set)
 * is refused while it is read. A failure rejects with an Error whose
 * message names the request; a non-2xx answer carries `status` and the
 * body's `detail`.
 */
export function httpTransport(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('licverify: httpTransport needs {baseUrl, apiKey?, timeoutMs?}');
  const { baseUrl, apiKey, timeoutMs = 10_000, ...rest } = options;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new TypeError(`licverify: httpTransport: unknown option ${JSON.stringify(unknown[0])} (options: baseUrl, apiKey, timeoutMs)`);
  if (typeof baseUrl !== 'string' && !(baseUrl instanceof URL)) throw new TypeError('licverify: httpTransport: baseUrl must be a URL or a string');
  const base = new URL(String(baseUrl), globalThis.location?.href);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`licverify: httpTransport: baseUrl must be http(s), got ${base.protocol}`);
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey === '' || /[\r\n]/.test(apiKey))) {
    throw new TypeError('licverify: httpTransport: apiKey must be a non-empty string on one line');
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2 ** 31 - 1) {
    throw new TypeError(`licverify: httpTransport: timeoutMs must be an integer from 1 to 2^31-1, got ${timeoutMs}`);
  }
  const root = base.href.replace(/\/+$/, '');
  const headers = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };

  return {
    fetchProof({ licenseId, fingerprint, ttlHours }) {
      const body = { license_id: licenseId };
      if (fingerprint !== undefined) body.device_fingerprint = components(fingerprint);
      if (ttlHours !== undefined) body.ttl_hours = ttlHours;
      return exchange(`${root}/api/v1/v2/status-proof`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }, MAX_PROOF_BYTES, timeoutMs);
    },
    fetchRevocation(sinceEpoch) {
      let url = `${root}/api/v1/v2/revocation`;
      if (sinceEpoch !== null && sinceEpoch !== undefined) {
        if (!Number.isSafeInteger(sinceEpoch) || sinceEpoch < 0) throw new TypeError(`licverify: since_epoch must be a non-negative integer, got ${sinceEpoch}`);
        url += `?since_epoch=${sinceEpoch}`;
      }
      return exchange(url, { method: 'GET', headers }, MAX_SET_BYTES, timeoutMs);
    },
  };
}

// components is the fingerprint as the API's device_fingerprint object:
// given as its text or bytes it is parsed first.
function components(fingerprint) {
  const b = bytesOf(fingerprint);
  const text = b !== null ? new TextDecoder().decode(b) : fingerprint;
  return typeof text === 'string' ? JSON.parse(text) : text;
}

// exchange runs one request and resolves to the body's bytes, within the
// timeout and the size bound.
async function exchange(url, init, limit, timeoutMs) {
  const what = `${init.method} ${url}`;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    // A redirect is refused, not followed: followed, it would turn the
    // proof's POST into a GET to wherever it points (as in Go and Python).
    const res = await fetch(url, { ...init, redirect: 'error', signal: controller.signal });
    const body = await readBounded(res, limit, what);
    if (!res.ok) {
      const detail = detailOf(body);
      const err = new Error(`licverify: ${what}: ${res.status} ${res.statusText}${detail === undefined ? '' : `: ${detail}`}`);
      err.status = res.status;
      if (detail !== undefined) err.detail = detail;
      throw err;
    }
    return body;
  } catch (err) {
    if (timedOut) throw new Error(`licverify: ${what}: no answer within ${timeoutMs} ms`, { cause: err });
    if (err?.status !== undefined || err?.message?.startsWith('licverify: ')) throw err;
    throw new Error(`licverify: ${what}: ${err?.cause?.message ?? err?.message ?? err}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

// readBounded reads a response body, refusing it as soon as it is known
// to be over limit bytes: from Content-Length, or while it streams.
async function readBounded(res, limit, what) {
  const tooLarge = () => new Error(`licverify: ${what}: the answer is over ${limit} bytes`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (res.body === null) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

// detailOf is the `detail` of a JSON error body ({"detail": …}, the seeds'
// form), shortened; undefined when there is none.
function detailOf(body) {
  let d;
  try {
    d = JSON.parse(new TextDecoder().decode(body))?.detail;
  } catch {
    return undefined;
  }
  if (d === undefined || d === null) return undefined;
  const s = typeof d === 'string' ? d : JSON.stringify(d);
  return s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL)}…` : s;
}

/**
 * documentBytes returns what a transport resolved to as bytes: a string
 * as UTF-8 (as the verbs send one), bytes as they are.
 */
export function documentBytes(v) {
  if (typeof v === 'string') return encodeText(v);
  const b = bytesOf(v);
  if (b === null) throw new TypeError(`the transport returned ${v === null ? 'null' : typeof v}, not bytes or a string`);
  return b;
}
