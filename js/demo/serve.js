// A static file server for the demo, the dashboard example and the browser
// tests, with no dependencies. From js/:
//
//	node demo/serve.js [port]     then open http://127.0.0.1:8080/js/demo/
//	                              or http://127.0.0.1:8080/examples/dashboard/
//
// It serves one directory read-only on 127.0.0.1 (from the command line,
// the repository), with the MIME types a browser needs (application/wasm
// lets it compile while downloading), and optionally extra headers on
// every response, such as a Content-Security-Policy.

import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * serve starts a server for root on 127.0.0.1 (port 0: any free port) and
 * resolves to the http.Server once it listens. options.headers are added
 * to every response.
 */
export function serve(root, port = 0, { headers = {} } = {}) {
  root = path.resolve(root);
  const server = http.createServer((req, res) => {
    const fail = (status) => {
      res.writeHead(status, { ...headers, 'content-type': 'text/plain' });
      res.end(`${status}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405);
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return fail(400);
    }
    let file = path.join(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) return fail(403);
    let st;
    try {
      st = statSync(file);
      if (st.isDirectory()) {
        if (!rel.endsWith('/')) {
          res.writeHead(301, { ...headers, location: rel + '/' });
          return res.end();
        }
        file = path.join(file, 'index.html');
        st = statSync(file);
      }
    } catch {
      return fail(404);
    }
    res.writeHead(200, {
      ...headers,
      'content-type': types[path.extname(file)] ?? 'application/octet-stream',
      'content-length': st.size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const server = await serve(root, Number(process.argv[2] ?? 8080));
  const base = `http://127.0.0.1:${server.address().port}`;
  console.log(`serving ${root}:\n  the demo       ${base}/js/demo/\n  the dashboard  ${base}/examples/dashboard/`);
}
