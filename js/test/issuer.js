// The lifecycle tests' issuer (internal/testissuer), built once per run
// into test/out/ and started as a child process: it prints one JSON line
// ({url, keys, api_key, license_id, fingerprint}) and exits when its
// standard input closes, so a test that dies leaves no server behind.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { out, repo } from './paths.js';

const binary = path.join(out, process.platform === 'win32' ? 'testissuer.exe' : 'testissuer');
let built = false;

// build compiles the issuer once per process (go build is a no-op when
// nothing changed, but still costs a second).
function build() {
  if (built && existsSync(binary)) return;
  mkdirSync(out, { recursive: true });
  execFileSync('go', ['build', '-o', binary, './internal/testissuer/cmd/testissuer'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  built = true;
}

/**
 * startIssuer starts a test issuer and resolves to {info, url, stop()}.
 * info is its startup line.
 */
export async function startIssuer() {
  build();
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`testissuer exited ${code} before printing its address`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  const info = JSON.parse(line);
  return {
    info,
    url: info.url,
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

/** control calls a /_test/ endpoint of the issuer at url: POST with body, else GET. */
export async function control(url, p, body) {
  const res = await fetch(url + p, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${p}: ${res.status} ${text}`);
  return text;
}

/** closedPort resolves to a loopback port nothing listens on (one just freed). */
export async function closedPort() {
  const s = http.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}
