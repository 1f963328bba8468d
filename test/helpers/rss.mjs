// Memory of the Chromium renderer processes under this node process, from /proc (VmRSS): the benchmarks'
// peak-memory figures. Linux only.
import { readdirSync, readFileSync } from 'node:fs';

function procTree() {
  const procs = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      procs.push({ pid: Number(d), ppid, cmd });
    } catch {
      // exited meanwhile
    }
  }
  return procs;
}

/** PIDs of Chromium renderer processes descended from this process. */
function rendererPids() {
  const procs = procTree();
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) (mine.add(p.pid), (grew = true));
  }
  return procs.filter((p) => mine.has(p.pid) && p.pid !== process.pid && p.cmd.includes('--type=renderer')).map((p) => p.pid);
}

function rssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples every renderer's VmRSS each `everyMs`. Chromium keeps idle renderers around (the start page's,
 * a pre-spawned spare that the next page takes), so the page's renderer is the one whose RSS grows most
 * during the runs; its peak is reported, and the peak of the sum over all renderers as well.
 */
export function sampleRss(everyMs = 100) {
  const per = new Map(); // pid → { first, peak }
  const s = { samples: 0, peakSum: 0 };
  let pids = [];
  const tick = () => {
    if (s.samples % 10 === 0) pids = rendererPids(); // walking /proc costs more than reading a few RSS values
    let sum = 0;
    for (const pid of pids) {
      const v = rssBytes(pid);
      sum += v;
      const e = per.get(pid) ?? { first: v, peak: 0 };
      if (v > e.peak) e.peak = v;
      per.set(pid, e);
    }
    s.samples++;
    if (sum > s.peakSum) s.peakSum = sum;
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      const [pid, top] = [...per].sort((a, b) => b[1].peak - b[1].first - (a[1].peak - a[1].first))[0] ?? [0, { first: 0, peak: 0 }];
      return { samples: s.samples, renderers: per.size, pid, idleBytes: top.first, peakBytes: top.peak, peakSumBytes: s.peakSum };
    },
  };
}

