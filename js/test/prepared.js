// The state test/prepare.js leaves for the test files.

import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { preparedFile } from './paths.js';

/** prepared returns what test/prepare.js recorded; run `npm test`. */
export function prepared() {
  if (!existsSync(preparedFile)) {
    throw new Error('test/out/prepared.json is missing: run the tests with `npm test` (it runs test/prepare.js first)');
  }
  return JSON.parse(readFileSync(preparedFile, 'utf8'));
}

/** importInstalled imports the packed package as the scratch project sees it. */
export async function importInstalled() {
  return import(pathToFileURL(path.join(prepared().scratch, 'index.js')).href);
}

/** nativeResponses returns Go's response text for every vector id. */
export function nativeResponses() {
  return JSON.parse(readFileSync(prepared().native, 'utf8'));
}
