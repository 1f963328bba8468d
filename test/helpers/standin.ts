// Main-thread unit tests: a fresh Figma stand-in installed as the global `figma`, and a solid PNG.
import { encode } from 'fast-png';
import { FigmaStandin } from '../../ui/standin/figma';

export function solidPng(w: number, h: number, rgb = [200, 100, 50]): Uint8Array {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set(rgb, i * 3);
  return encode({ width: w, height: h, data, depth: 8, channels: 3 });
}

/** A fresh document with the stand-in installed as the global `figma`. */
export function setup(): FigmaStandin {
  const fig = new FigmaStandin();
  (globalThis as { figma?: unknown }).figma = fig.api();
  return fig;
}
