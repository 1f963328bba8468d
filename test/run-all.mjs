// `npm test`: every suite in turn, even after one fails, then a summary and a non-zero exit on any failure.
import { spawnSync } from 'node:child_process';

const SUITES = [
  ['typecheck', 'npm run -s typecheck'],
  ['unit', 'npm run -s test:unit'],
  ['browser', 'npm run -s test:browser'],
  ['models', 'npm run -s test:models'],
];

const only = process.argv.slice(2).filter((a) => a !== "--");
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
