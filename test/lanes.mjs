// How `npm test` (run-all.mjs) lays its suites out on a two-core machine: two lanes, each using about
// one core. The unit and models suites (node:test with one file at a time; pytest with one compute
// thread, for PyTorch and its BLAS alike) run one after the other in a lane beside the rest, which run
// in turn (the browser suite's WASM is one thread), so a run takes about as long as its longer lane.
// `serial` runs every suite in turn.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The suites that share the lane beside the others, in the order they run there. */
export const BESIDE = ['unit', 'models'];

/** { inTurn, beside }: the chosen [name, command] suites split into the ones run one after another
 * live and the ones run one after another in the lane beside them (an empty list: no lane). With
 * `serial`, or when either side would be empty, everything runs in turn. */
export function planLanes(chosen, { serial = false } = {}) {
  const beside = serial ? [] : BESIDE.map((name) => chosen.find(([n]) => n === name)).filter(Boolean);
  const inTurn = chosen.filter((s) => !beside.includes(s));
  if (beside.length === 0 || inTurn.length === 0) return { inTurn: chosen, beside: [] };
  return { inTurn, beside };
}

/** Runs one suite's command with the given stdio and resolves to { name, ok, seconds } when it ends
 * (a command that cannot start is a failed suite). */
function runSuite([name, command], stdio, env = process.env) {
  const t0 = Date.now();
  const child = spawn(command, { shell: true, stdio, env });
  return new Promise((resolve) => {
    let ended = false;
    const done = (ok, startError) => {
      if (ended) return; // a child that cannot start reports both 'error' and 'exit'
      ended = true;
      resolve({ name, ok, seconds: (Date.now() - t0) / 1000, startError });
    };
    child.on('error', (err) => done(false, err.message));
    child.on('exit', (code) => done(code === 0));
  });
}

/** A suite in turn: its output goes straight to the terminal. */
export async function runLive(suite) {
  const { startError, ...r } = await runSuite(suite, 'inherit');
  if (startError) console.error(`npm test: could not start ${suite[0]}: ${startError}`);
  return r;
}

/** One suite in the lane beside the others: its output goes to a file the child writes itself (so
 * the two lanes' outputs never interleave, and nothing in the parent has to keep reading it), and
 * comes back whole as `output` once the suite has ended. */
export async function runBeside(suite, { env = process.env } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'onestep-test-'));
  const fd = openSync(join(dir, `${suite[0]}.log`), 'w');
  const pending = runSuite(suite, ['ignore', fd, fd], env);
  closeSync(fd);
  const { startError, ...r } = await pending;
  const output = readFileSync(join(dir, `${suite[0]}.log`), 'utf8') + (startError ? `\nnpm test: could not start ${suite[0]}: ${startError}\n` : '');
  rmSync(dir, { recursive: true, force: true });
  return { ...r, output };
}

/** The lane beside the others: its suites one after another (each runs even when one before failed);
 * resolves to their results in order. */
export async function runLane(suites, { env = process.env } = {}) {
  const results = [];
  for (const suite of suites) results.push(await runBeside(suite, { env }));
  return results;
}
