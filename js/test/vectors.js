// Loading the shared test vectors (../testvectors/*.json) for the runners,
// with each request kept as the exact text the vector file holds, framed
// by fromjson.js as Go's runners frame it. Re-serializing a parsed request
// could change it (JSON.parse rounds a large integer, for one).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fromJSON, spans } from './fromjson.js';

export const vectorsDir = fileURLToPath(new URL('../../testvectors/', import.meta.url));
export const opsFile = fileURLToPath(new URL('../../internal/api/ops.json', import.meta.url));

/** table returns internal/api/ops.json, read here rather than from the package. */
export const table = () => JSON.parse(readFileSync(opsFile, 'utf8'));

export { spans };

/** frameOf returns a vector's request frame, padded. */
export const frameOf = (v, ops = table()) => fromJSON(v.request, v.pad, ops);

/**
 * loadVectors returns every vector of every file, sorted by file name:
 * {file, id, comment, request (exact text), expected (parsed), pad?}.
 */
export function loadVectors(dir = vectorsDir) {
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort();
  const out = [];
  for (const name of names) {
    const text = readFileSync(path.join(dir, name), 'utf8');
    const file = JSON.parse(text);
    const tree = spans(text);
    const tests = tree.members.get('tests').items;
    if (file.schema !== 'licverify-vectors-v2') throw new Error(`${name}: schema ${file.schema}`);
    if (tests.length !== file.tests.length) throw new Error(`${name}: test count mismatch`);
    file.tests.forEach((t, k) => {
      const r = tests[k].members.get('request');
      out.push({
        file: name,
        id: t.id,
        comment: t.comment,
        request: text.slice(r.start, r.end),
        expected: t.expected,
        pad: t.pad,
      });
    });
  }
  if (out.length === 0) throw new Error(`no vectors in ${dir}`);
  return out;
}

/** isBadRequest tells a vector whose request every runtime must refuse. */
export const isBadRequest = (expected) => isDeepStrictEqual(expected, { error: 'bad_request' });

/** isKeyringError tells a vector whose keyring does not load. */
export const isKeyringError = (expected) => expected.error === 'keyring';

/**
 * check applies the rule of testvectors.Check: the response carries a
 * non-empty message and, without it, equals the expected value; for
 * {"error": "bad_request"} it is a bad-request error, and for
 * {"error": "keyring", "code": C} a keyring error carrying C.
 * @returns {string | null} why it fails, or null
 */
/**
 * withoutNestedMessages drops, in place, the message of every result nested
 * in v (an object with a "valid" member, as the lifecycle ops answer): it is
 * for people, as the response's own is.
 */
function withoutNestedMessages(v) {
  if (Array.isArray(v)) {
    v.forEach(withoutNestedMessages);
  } else if (v !== null && typeof v === 'object') {
    if (Object.hasOwn(v, 'valid')) delete v.message;
    Object.values(v).forEach(withoutNestedMessages);
  }
}

export function check(expected, responseText) {
  let got;
  try {
    got = JSON.parse(responseText);
  } catch {
    return `response is not JSON: ${responseText}`;
  }
  if (got === null || typeof got !== 'object' || Array.isArray(got)) {
    return `response is not a JSON object: ${responseText}`;
  }
  if (isBadRequest(expected)) {
    if (typeof got.error === 'string' && got.error.startsWith('licverify: bad request: ')) return null;
    return `want a bad request error, got ${responseText}`;
  }
  if (isKeyringError(expected)) {
    const ok = typeof got.error === 'string' && got.error.startsWith('licverify: keyring: ') &&
      got.code === expected.code && Object.keys(got).length === 2;
    return ok ? null : `want a keyring error with code ${expected.code}, got ${responseText}`;
  }
  if (typeof got.message !== 'string' || got.message.trim() === '') {
    return `response has no message: ${responseText}`;
  }
  const { message, ...rest } = got;
  withoutNestedMessages(rest);
  if (!isDeepStrictEqual(rest, expected)) {
    return `result differs\n got: ${JSON.stringify(rest)}\nwant: ${JSON.stringify(expected)}\n(message: ${message})`;
  }
  return null;
}

/**
 * assertNoFailures fails with the first failures in full and a count of
 * the rest: a stale module can fail every vector, and a screenful is
 * enough to see why.
 */
export function assertNoFailures(failures, what) {
  if (failures.length === 0) return;
  const shown = failures.slice(0, 10).join('\n');
  const more = failures.length > 10 ? `\n… and ${failures.length - 10} more` : '';
  const hint = '\n(a module built from older sources fails here too: `make wasm-check` tells)';
  assert.fail(`${what}: ${failures.length} failed\n${shown}${more}${hint}`);
}
