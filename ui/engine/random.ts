// Seeded Gaussian noise so a seed gives the same image in the panel, the CLI and the tests.

// A seed is read as an unsigned 32-bit integer (`>>> 0` below), so every seed in [0, MAX_SEED]
// (src/protocol.ts, the range the messages carry) gives its own noise and anything outside wraps.

/** mulberry32: small, fast, and good enough for noise images. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n standard normal samples (Box–Muller) from the seed. */
export function gaussian(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rand(); // (0, 1]: log(0) never happens
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
