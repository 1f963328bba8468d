// Every sentence a user can see about a failure: what happened and what to do, keyed by error code.
// Used by the main thread (figma.notify, ≤ 100 characters) and by the panel (which can show the detail too).
import type { ErrorCode } from './protocol';

export const MESSAGES: Record<ErrorCode, string> = {
  'empty-selection': 'Select a layer first: any frame, group, image or vector.',
  'no-pixels': 'That layer has no pixels to work on (empty, zero-sized or fully transparent).',
  'too-large': 'The result would be too large (over 8192 px or 16 megapixels). Select a smaller layer.',
  'export-failed': 'Figma could not export that layer. Try again, or flatten it first.',
  'decode-failed': 'The layer\u2019s image could not be read (corrupt or unsupported PNG).',
  'model-missing': 'This model is not included in the plugin. Pick another tool.',
  'model-card-invalid': 'This model\u2019s description is broken. Pick another tool.',
  'model-corrupt': 'The model file is damaged (checksum mismatch). Reinstall the plugin.',
  'model-load-failed': 'The model could not be loaded on this machine.',
  'backend-failed': 'No compute backend worked on this machine (WebGPU or WebAssembly).',
  'inference-failed': 'The model failed while running. Try a smaller layer.',
  'unsupported-tool': 'This tool is not available in this version of the plugin.',
  'source-removed': 'The layer was deleted while the tool ran; nothing was added.',
  'place-failed': 'Figma refused the result image; nothing was added.',
  busy: 'A tool is already running. Wait for it or press Stop.',
  cancelled: 'Cancelled. Nothing was added.',
  internal: 'Something went wrong inside the plugin. Nothing was changed.',
  'mask-no-shapes': 'Select the image and the shapes that cover what to remove (draw shapes over it first).',
  'mask-no-image': 'Select an image layer together with the shapes over it.',
  'mask-outside': 'The shapes do not overlap the image. Move them over what to remove.',
  'mask-empty': 'The shapes cover no pixels of the image.',
  'mask-too-large': 'The shapes cover over 60% of the image: too much to fill well. Use smaller shapes.',
  'image-hidden': 'The image is hidden. Show it, then run again.',
  'image-locked': 'The image is locked. Unlock it, then run again.',
  'image-in-instance': 'The image is inside a component instance. Detach it or edit the main component.',
  'sketch-empty': 'There is no drawing in that layer (it is empty or one flat colour).',
  'swatch-empty': 'The colour layer has no visible fill. Give it a fill or pick a colour instead.',
};

/** The notify text for a code, with the layer name when it helps (Figma truncates at 100 characters). */
export function messageFor(code: ErrorCode, layerName?: string): string {
  const base = MESSAGES[code] ?? MESSAGES.internal;
  const text = layerName ? `\u201c${layerName}\u201d: ${base}` : base;
  return text.length <= 100 ? text : `${text.slice(0, 99)}\u2026`;
}
