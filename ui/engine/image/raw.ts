// RawImage: interleaved pixels (HWC) as they come out of a PNG, and the float planes the model sees.

export type Channels = 1 | 2 | 3 | 4;

/** Interleaved samples: 1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA; 8 or 16 bits per sample. */
export interface RawImage {
  width: number;
  height: number;
  channels: Channels;
  depth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

/** What the model works on: RGB as CHW floats in [-1, 1] composited on white, alpha apart in [0, 1]. */
export interface Planes {
  width: number;
  height: number;
  /** 3 × height × width, channel-major. */
  rgb: Float32Array;
  /** height × width, or null when the image is fully opaque (most layers). */
  alpha: Float32Array | null;
}

export function hasAlpha(channels: Channels): boolean {
  return channels === 2 || channels === 4;
}

/** Splits a RawImage into planes. Colour is composited on white because the models were trained that way. */
export function toPlanes(img: RawImage): Planes {
  const { width, height, channels, data } = img;
  const n = width * height;
  const max = img.depth === 16 ? 65535 : 255;
  const rgb = new Float32Array(3 * n);
  const withAlpha = hasAlpha(channels);
  const alpha = withAlpha ? new Float32Array(n) : null;
  const colourChannels = withAlpha ? channels - 1 : channels;
  let opaque = true;
  for (let i = 0; i < n; i++) {
    const base = i * channels;
    const a = alpha ? data[base + channels - 1] / max : 1;
    if (alpha) {
      alpha[i] = a;
      if (a < 1) opaque = false;
    }
    for (let c = 0; c < 3; c++) {
      const v = data[base + (colourChannels === 1 ? 0 : c)] / max;
      // Over white: v·a + 1·(1 − a), then [0, 1] → [−1, 1].
      rgb[c * n + i] = (v * a + (1 - a)) * 2 - 1;
    }
  }
  return { width, height, rgb, alpha: opaque ? null : alpha };
}

/** Model units to an 8-bit sample: clamp to [−1, 1], then round((y + 1) · 127.5) as the training code does. */
export function toByte(y: number): number {
  const v = y < -1 ? -1 : y > 1 ? 1 : y;
  return Math.round((v + 1) * 127.5);
}

/**
 * Joins planes into an 8-bit RGB or RGBA image. With alpha, the colour is un-composited from white
 * (the inverse of toPlanes) so that semi-transparent edges do not come back with a white fringe.
 */
export function fromPlanes(p: Planes): RawImage {
  const { width, height, rgb, alpha } = p;
  const n = width * height;
  const channels: Channels = alpha ? 4 : 3;
  const data = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const a = alpha ? Math.min(1, Math.max(0, alpha[i])) : 1;
    for (let c = 0; c < 3; c++) {
      let y = rgb[c * n + i];
      if (alpha && a > UNCOMPOSITE_MIN_ALPHA && a < 1) {
        const v = (y + 1) / 2; // [0, 1] on white
        y = ((v - (1 - a)) / a) * 2 - 1;
      }
      data[i * channels + c] = toByte(y);
    }
    if (alpha) data[i * channels + 3] = Math.round(a * 255);
  }
  return { width, height, channels, depth: 8, data };
}

/**
 * An 8-bit RGBA image whose every alpha is 255 as RGB (a copy); any other image as it is. Results are
 * written without an alpha that says nothing, as fromPlanes writes them: a quarter less to encode.
 */
export function withoutOpaqueAlpha(img: RawImage): RawImage {
  if (img.channels !== 4 || img.depth !== 8) return img;
  const { width, height, data } = img;
  const n = width * height;
  for (let i = 0; i < n; i++) if (data[i * 4 + 3] !== 255) return img;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) (rgb[i * 3] = data[i * 4]), (rgb[i * 3 + 1] = data[i * 4 + 1]), (rgb[i * 3 + 2] = data[i * 4 + 2]);
  return { width, height, channels: 3, depth: 8, data: rgb };
}

/** Below this alpha the colour is too uncertain to un-composite; it is kept as the model made it. */
export const UNCOMPOSITE_MIN_ALPHA = 1 / 64;

/** Converts any RawImage to 8-bit RGBA (for previews and the Figma stand-in's renderer). */
export function toRgba8(img: RawImage): Uint8Array {
  const { width, height, channels, data } = img;
  const n = width * height;
  // 16 → 8 bits: the nearest level, v / 257 rounded (v >> 8 would be up to one level too bright).
  const to8 = img.depth === 16 ? (v: number) => Math.round(v / 257) : (v: number) => v;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const b = i * channels;
    const grey = channels <= 2;
    out[i * 4] = to8(data[b]);
    out[i * 4 + 1] = to8(data[grey ? b : b + 1]);
    out[i * 4 + 2] = to8(data[grey ? b : b + 2]);
    out[i * 4 + 3] = hasAlpha(channels) ? to8(data[b + channels - 1]) : 255;
  }
  return out;
}
