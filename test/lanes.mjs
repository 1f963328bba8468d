// How `npm test` (run-all.mjs) lays its suites out on a two-core machine: the models suite (pytest, one
// torch thread) runs beside the others, which run in turn (the browser suite's WASM is one thread), so a
// run takes about as long as its longest lane. `serial` runs every suite in turn.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The suite that gets a lane of its own. */
export const BESIDE = 'models';

/** { inTurn, beside }: the chosen [name, command] suites split into the ones run one after another and
 * the one (or none) run beside them. A suite chosen alone, or `serial`, runs in turn. */
export function planLanes(chosen, { serial = false } = {}) {
  const lone = serial || chosen.length < 2;
  const beside = lone ? undefined : chosen.find(([name]) => name === BESIDE);
  return { inTurn: chosen.filter((s) => s !== beside), beside };
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

/** The suite beside the others: its output goes to a file the child writes itself (so the two outputs
 * never interleave, and nothing in the parent has to keep reading it), and comes back whole as
 * `output` once the suite has ended. */
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
