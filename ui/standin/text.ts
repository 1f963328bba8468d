// Text in the Figma stand-in. There are no fonts here: every character takes a fixed-width cell and
// every character that is not blank draws as one filled box inside its cell (its "ink"), in the text
// layer's fills. That is what the plugin needs from text (where it draws, which pixels it covers), not
// what text looks like: pixel tests on text measure these boxes, not real glyphs. A text layer's
// render bounds are its box (Figma's are the real glyphs' ink, which can reach outside it).

/** The one font the stand-in's text has: Figma's default for new text. */
export const DEFAULT_FONT: FontName = { family: 'Inter', style: 'Regular' };

/** The key figma.loadFontAsync records a font under. */
export const fontKey = (f: FontName): string => `${f.family}/${f.style}`;

/** A cell's advance and a line's height, in font sizes (about Inter's). */
export const TEXT_METRICS = { advance: 0.6, lineHeight: 1.2 };

/** The ink box inside a cell, in font sizes from the cell's top left: about cap height to baseline. */
export const GLYPH_INK = { x0: 0.05, x1: 0.55, y0: 0.25, y1: 1.0 };

const lines = (characters: string): string[][] => characters.split('\n').map((l) => [...l]);

/** The size of a text layer that fits its text (autoResize WIDTH_AND_HEIGHT, Figma's default). */
export function textSize(characters: string, fontSize: number): { width: number; height: number } {
  const ls = lines(characters);
  return { width: Math.max(...ls.map((l) => l.length)) * TEXT_METRICS.advance * fontSize, height: ls.length * TEXT_METRICS.lineHeight * fontSize };
}

/** Whether a point (u, v) in the text layer's units lies on a glyph's ink box. */
export function glyphTest(characters: string, fontSize: number): (u: number, v: number) => boolean {
  const ls = lines(characters);
  const adv = TEXT_METRICS.advance * fontSize, lh = TEXT_METRICS.lineHeight * fontSize;
  return (u, v) => {
    const row = Math.floor(v / lh), col = Math.floor(u / adv);
    const ch = ls[row]?.[col];
    if (ch === undefined || /\s/.test(ch)) return false;
    const du = (u - col * adv) / fontSize, dv = (v - row * lh) / fontSize;
    return du >= GLYPH_INK.x0 && du <= GLYPH_INK.x1 && dv >= GLYPH_INK.y0 && dv <= GLYPH_INK.y1;
  };
}
