// `npm test`: every suite in turn, even after one fails, then a summary and a non-zero exit on any failure.
// First the Debian packages the chosen suites need (packages.debian): installed when missing as root on
// Debian, otherwise the run stops at once with the apt-get command to run.
import { spawnSync } from 'node:child_process';
import { ensurePackages } from './debian-packages.mjs';

const SUITES = [
  ['typecheck', 'npm run -s typecheck'],
  ['unit', 'npm run -s test:unit'],
  ['browser', 'npm run -s test:browser'],
  ['models', 'npm run -s test:models'],
];

const only = process.argv.slice(2).filter((a) => a !== "--");
const unknown = only.filter((a) => !SUITES.some(([name]) => name === a));
if (unknown.length) {
  console.error(`npm test: no suite ${unknown.join(', ')}; the suites are ${SUITES.map(([n]) => n).join(', ')}`);
  process.exit(2);
}
if (!ensurePackages(only)) process.exit(1);
const results = [];
for (const [name, command] of SUITES) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n=== ${name}: ${command}`);
  const t0 = Date.now();
  const r = spawnSync(command, { shell: true, stdio: 'inherit' });
  results.push({ name, ok: r.status === 0, seconds: (Date.now() - t0) / 1000 });
}
console.log('\n=== summary');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(10)} ${r.seconds.toFixed(0).padStart(4)} s`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
