// `npm start` from the command line: stopping npm (SIGTERM, or SIGINT sent to npm alone, or even
// SIGKILL) must free the playground's port; the server must not outlive its parent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';

/** Every process below pid (Linux /proc), children first found first. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    const taskDir = `/proc/${p}/task`;
    if (!existsSync(taskDir)) return;
    for (const t of readdirSync(taskDir)) {
      let children = '';
      try {
        children = readFileSync(`${taskDir}/${t}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
        out.push(c);
        walk(c);
      }
    }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const signal of ['SIGTERM', 'SIGINT', 'SIGKILL'] as const) {
  test(`npm start: ${signal} to npm stops the playground server and frees its port`, { timeout: 60_000 }, async () => {
    const npm = spawn('npm', ['start', '--', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    npm.stdout.on('data', (d) => (text += d));
    npm.stderr.on('data', (d) => (text += d));
    let port = 0;
    for (let i = 0; i < 400 && !port; i++) {
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
      if (m) port = Number(m[1]);
      else await sleep(100);
    }
    assert.ok(port, `npm start printed no address:\n${text}`);
    const below = descendants(npm.pid!);
    assert.ok(await portOpen(port), 'the playground answers');
    npm.kill(signal);
    let free = false;
    for (let i = 0; i < 50 && !free; i++) {
      await sleep(100);
      free = !(await portOpen(port)) && below.every((p) => !alive(p));
    }
    // Whatever happened, end what this test started (by pid, never by name).
    const left = below.filter(alive);
    for (const p of left) process.kill(p, 'SIGKILL');
    assert.ok(free, `after ${signal} to npm, port ${port} is still held (left running: ${left.join(', ') || 'none'})`);
  });
}
