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

/** Starts one suite with its output going to a file, and resolves to { name, ok, seconds, output } when
 * it has ended. The child writes the file itself, so the two outputs never interleave, and a parent
 * held in spawnSync does not stall it (run-all spawns the suites in turn asynchronously, so that this
 * lane's end is also timed when it happens). */
export function runBeside([name, command], { env = process.env } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'onestep-test-'));
  const file = join(dir, `${name}.log`);
  const fd = openSync(file, 'w');
  const t0 = Date.now();
  const child = spawn(command, { shell: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  return new Promise((resolve) => {
    let ended = false;
    const done = (ok, extra = '') => {
      if (ended) return; // a child that cannot start reports both 'error' and 'exit'
      ended = true;
      const output = readFileSync(file, 'utf8') + extra;
      rmSync(dir, { recursive: true, force: true });
      resolve({ name, ok, seconds: (Date.now() - t0) / 1000, output });
    };
    child.on('error', (err) => done(false, `\nnpm test: could not start ${name}: ${err.message}\n`));
    child.on('exit', (code) => done(code === 0));
  });
}
