// Loading the shared test vectors (../testvectors/*.json) for the runners,
// with each request kept as the exact text the vector file holds: the
// bytes the Go runners pass to the module. Re-serializing a parsed request
// could change it (JSON.parse rounds a large integer, for one).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

export const vectorsDir = fileURLToPath(new URL('../../testvectors/', import.meta.url));

/**
 * spans parses JSON text into nodes that keep their source span:
 * {start, end, members?: Map, items?: Array}. The text has already been
 * validated by JSON.parse, so only value boundaries are tracked.
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

/**
 * loadVectors returns every vector of every file, sorted by file name:
 * {file, id, comment, request (exact text), expected (parsed)}.
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
    if (tests.length !== file.tests.length) throw new Error(`${name}: test count mismatch`);
    file.tests.forEach((t, k) => {
      const r = tests[k].members.get('request');
      out.push({
        file: name,
        id: t.id,
        comment: t.comment,
        request: text.slice(r.start, r.end),
        expected: t.expected,
      });
    });
  }
  if (out.length === 0) throw new Error(`no vectors in ${dir}`);
  return out;
}

/**
 * check applies the rule of testvectors.Check: the response carries a
 * non-empty message and, without it, equals the expected value.
 * @returns {string | null} why it fails, or null
 */
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
  if (typeof got.message !== 'string' || got.message.trim() === '') {
    return `response has no message: ${responseText}`;
  }
  const { message, ...rest } = got;
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
