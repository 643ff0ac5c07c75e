// One loopback origin for the browser tests of sessions: the repository
// (test/../demo/serve.js, with optional headers such as a
// Content-Security-Policy) and the test issuer proxied under /issuer/, so
// that a page reaches the issuer from its own origin, as docs/lifecycle.md
// says a deployment may ("proxied on it").

import http from 'node:http';
import { serve } from '../demo/serve.js';
import { startIssuer } from './issuer.js';
import { repo } from './paths.js';

// proxy forwards a request to target (a base URL), method, headers and
// body as they came; an upstream that closes without answering closes
// the browser's connection too, as the issuer's "down" mode means. Every
// answer closes its connection, as the issuer's own do: Chromium sends a
// request again when a kept-alive connection it reused is dropped, on
// each idle connection it holds (up to six per origin, after a page of
// many files), and one due fetch would count as several hits.
function proxy(req, res, target) {
  const up = http.request(new URL(req.url, target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
    res.writeHead(answer.statusCode, { ...answer.headers, connection: 'close' });
    answer.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
}

/**
 * serveWithIssuer starts a test issuer and a server on 127.0.0.1 that
 * serves the repository (with options.headers on every file) and proxies
 * /issuer/ to the issuer. Resolves to {base, issuer, close()}: base is the
 * origin's URL, issuer what startIssuer resolves to (its own url and info).
 */
export async function serveWithIssuer({ headers = {} } = {}) {
  const issuer = await startIssuer();
  const files = await serve(repo, 0, { headers });
  const filesUrl = `http://127.0.0.1:${files.address().port}`;
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/issuer/')) {
      req.url = req.url.slice('/issuer'.length);
      return proxy(req, res, issuer.url);
    }
    proxy(req, res, filesUrl);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    issuer,
    async close() {
      server.closeAllConnections();
      server.close();
      files.close();
      await issuer.stop();
    },
  };
}
