// `npm test`: every suite, even after one fails, then a summary and a non-zero exit on any failure.
// First the Debian packages the chosen suites need (packages.debian): installed when missing as root on
// Debian, otherwise the run stops at once with the apt-get command to run. The unit and models suites
// run one after the other beside the rest (lanes.mjs); their output is printed whole once the suites in
// turn have ended. `--serial`: every suite in turn.
import { ensurePackages } from './debian-packages.mjs';
import { planLanes, runLane, runLive } from './lanes.mjs';

const SUITES = [
  ['typecheck', 'npm run -s typecheck'],
  ['unit', 'npm run -s test:unit'],
  ['browser', 'npm run -s test:browser'],
  ['models', 'npm run -s test:models'],
];

const args = process.argv.slice(2).filter((a) => a !== '--');
const serial = args.includes('--serial');
const only = args.filter((a) => a !== '--serial');
const unknown = only.filter((a) => !SUITES.some(([name]) => name === a));
if (unknown.length) {
  console.error(`npm test: no suite ${unknown.join(', ')}; the suites are ${SUITES.map(([n]) => n).join(', ')} (and --serial)`);
  process.exit(2);
}
if (!ensurePackages(only)) process.exit(1);
const { inTurn, beside } = planLanes(SUITES.filter(([name]) => !only.length || only.includes(name)), { serial });

const t00 = Date.now();
const results = [];
if (beside.length) console.log(`\n=== ${beside.map(([n]) => n).join(' then ')}: beside the others (${beside.map(([, c]) => c).join('; ')}); their output follows when they end`);
const lane = beside.length ? runLane(beside) : null;
for (const suite of inTurn) {
  console.log(`\n=== ${suite[0]}: ${suite[1]}`);
  // spawned, not spawnSync: the event loop stays free, so the lane beside is timed when it ends
  results.push(await runLive(suite));
}
if (lane) {
  for (const [i, r] of (await lane).entries()) {
    console.log(`\n=== ${r.name} (ran beside the others, ${r.seconds.toFixed(0)} s): ${beside[i][1]}`);
    process.stdout.write(r.output);
    results.push(r);
  }
}
console.log('\n=== summary');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(10)} ${r.seconds.toFixed(0).padStart(4)} s`);
console.log(`     ${'in all'.padEnd(10)} ${((Date.now() - t00) / 1000).toFixed(0).padStart(4)} s`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
