// A PNG's chunks, walked once: what both PNG readers (png-read.ts and codec.ts's restore) start from.

export interface PngChunkView {
  type: string;
  /** The chunk's data. */
  body: Uint8Array;
  /** The whole chunk: length, type, data and CRC. */
  whole: Uint8Array;
}

/** The chunks after the signature, up to and with IEND; null when one runs past the end of the file. */
export function pngChunks(bytes: Uint8Array): PngChunkView[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunkView[] = [];
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    if (at + 12 + length > bytes.length) return null;
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    chunks.push({ type, body: bytes.subarray(at + 8, at + 8 + length), whole: bytes.subarray(at, at + 12 + length) });
    at += 12 + length;
    if (type === 'IEND') break;
  }
  return chunks;
}
