// The Debian packages that `npm test` needs (listed in packages.debian, the only list): which of them the
// chosen suites need, which are missing, and what to do about it. As root on Debian the missing ones
// are installed with apt-get (CI, a fresh container); anywhere else the run stops at once and prints
// the exact command to run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages.debian');

/** [{ name, suites }] from packages.debian ('#' starts a comment). */
export function readPackages(file = LIST) {
  const out = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [name, ...suites] = line.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
    if (name) out.push({ name, suites: suites.join(' ').split(/[\s,]+/).filter(Boolean) });
  }
  return out;
}

/** The packages that these suites need (all of them when no suite is named). */
export function neededBy(packages, suites) {
  return packages.filter((p) => suites.length === 0 || p.suites.some((s) => suites.includes(s))).map((p) => p.name);
}

/** The names that dpkg does not report as installed; null when dpkg-query cannot be run (not Debian). */
export function missingPackages(names) {
  if (names.length === 0) return [];
  if (!existsSync('/etc/debian_version')) return null;
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n', ...names], { encoding: 'utf8' });
  if (r.error) return null;
  const installed = new Set(
    r.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, status]) => status === 'installed')
      .map(([name]) => name.replace(/:.*/, '')),
  );
  return names.filter((n) => !installed.has(n));
}

export const aptInstall = (names) => ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...names];

/**
 * What to do: 'none', 'install' (root on Debian: apt-get update, then install) or 'stop' (print the
 * message and exit before any suite runs).
 */
export function setupPlan({ missing, isRoot, needed = missing ?? [] }) {
  if (missing === null) {
    return {
      action: 'stop',
      message:
        `npm test: these suites run on Debian 12 and use its packages: ${needed.join(' ')}\n` +
        'This system has no dpkg. Install the equivalents, then run the suites with ONESTEP_SKIP_PACKAGES=1 npm test.',
    };
  }
  if (missing.length === 0) return { action: 'none' };
  if (isRoot) return { action: 'install', commands: [['apt-get', 'update', '-q'], aptInstall(missing)] };
  return {
    action: 'stop',
    message:
      `npm test: missing Debian packages (listed in packages.debian): ${missing.join(' ')}\n` +
      'Install them, then run npm test again:\n' +
      `  sudo apt-get update && sudo ${aptInstall(missing).filter((a) => a !== '-q').join(' ')}`,
  };
}

/** Makes sure the packages for these suites are there; false means stop (the reason is printed). */
export function ensurePackages(suites, { log = console.log, err = console.error, env = process.env } = {}) {
  if (env.ONESTEP_SKIP_PACKAGES === '1') return true;
  const needed = neededBy(readPackages(), suites);
  const missing = missingPackages(needed);
  const plan = setupPlan({ missing, needed, isRoot: process.getuid?.() === 0 });
  if (plan.action === 'none') return true;
  if (plan.action === 'stop') {
    err(plan.message);
    return false;
  }
  log(`installing Debian packages (packages.debian): ${missing.join(' ')}`);
  for (const [cmd, ...args] of plan.commands) {
    const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      err(`npm test: \`${[cmd, ...args].join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`}); no suite was run.`);
      return false;
    }
  }
  const still = missingPackages(needed) ?? needed;
  if (still.length) {
    err(`npm test: still missing after apt-get install: ${still.join(' ')}; no suite was run.`);
    return false;
  }
  return true;
}
