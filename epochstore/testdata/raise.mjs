// A child of the epoch store process tests (epochstore, js, python): the
// npm package's Node store raising one file together with other processes.
//
//   node raise.mjs FILE K N ROUNDS
//
// Once its standard input ends (the start, given to every child at once),
// it raises "own-K" through 1..ROUNDS and "shared" through i*N+K+1 for i
// in 0..ROUNDS-1, one raise after another.

import { createEpochStore } from '../../js/lib/node-host.js';

const [file, k, n, rounds] = process.argv.slice(2);
process.stdin.resume();
await new Promise((resolve) => process.stdin.on('end', resolve));
const store = createEpochStore({ path: file });
for (let i = 0; i < Number(rounds); i++) {
  await store.raise(`own-${k}`, i + 1);
  await store.raise('shared', i * Number(n) + Number(k) + 1);
}
