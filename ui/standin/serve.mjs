// Serves the playground on 127.0.0.1: the built dist/, example images, and the zoo's golden inputs.
//   node ui/standin/serve.mjs [--port 5173] [--dist dist]
import { createServer } from 'node:http';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, normalize, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.png': 'image/png', '.json': 'application/json' };

/** Example layers: bundled examples, plus the golden inputs for each model in the build. */
export function listExamples(dist) {
  const out = [];
  const exDir = join(ROOT, 'ui/standin/examples');
  for (const f of readdirSync(exDir).filter((f) => f.endsWith('.png')).sort()) out.push({ name: basename(f, '.png'), url: `/examples/${f}` });
  const fx = join(ROOT, 'test/fixtures');
  const built = existsSync(join(dist, 'ui.html')) ? readFileSync(join(dist, 'ui.html'), 'utf8') : '';
  if (existsSync(fx)) {
    for (const f of readdirSync(fx).sort()) {
      const m = /^golden-(.+)-in\.png$/.exec(f);
      if (m && built.includes(`id="onestep-model-${m[1]}"`)) out.push({ name: `golden ${m[1]}`, url: `/fixtures/${f}` });
    }
  }
  return out;
}

export function startServer({ port = 0, dist = 'dist' } = {}) {
  const distDir = join(ROOT, dist);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let path = null;
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/dist/standin/index.html' });
      return res.end();
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    if (url.pathname === '/api/examples') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(listExamples(distDir)));
    }
    const safe = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    if (safe.startsWith('/dist/')) path = join(distDir, safe.slice('/dist/'.length));
    else if (safe.startsWith('/examples/')) path = join(ROOT, 'ui/standin/examples', safe.slice('/examples/'.length));
    else if (safe.startsWith('/fixtures/golden-')) path = join(ROOT, 'test/fixtures', safe.slice('/fixtures/'.length));
    if (!path || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404);
      return res.end('not found');
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const port = Number(args[args.indexOf('--port') + 1]) || (args.includes('--port') ? 0 : 5173);
  const dist = args.includes('--dist') ? args[args.indexOf('--dist') + 1] : 'dist';
  const server = await startServer({ port, dist });
  console.log(`Onestep playground: http://127.0.0.1:${server.address().port}/  (Ctrl+C to stop)`);
  // The server ends with whoever started it (npm start: npm; a shell): when that process is gone, even
  // killed outright, this one is handed to another parent, and exits so that the port is freed.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 250).unref();
}
