// Before/after of the layer being processed: drag the slider to compare.
import { useState } from 'preact/hooks';

export function Preview({ before, after }: { before: string | null; after: string | null }) {
  const [split, setSplit] = useState(50);
  if (!before) return null;
  return (
    <figure class="preview" data-testid="preview">
      <div class="frame">
        <img src={before} alt="before" />
        {after && <img class="after" src={after} alt="after" style={{ clipPath: `inset(0 0 0 ${split}%)` }} />}
      </div>
      {after && <input type="range" min={0} max={100} value={split} aria-label="before / after" onInput={(e) => setSplit(Number((e.target as HTMLInputElement).value))} />}
    </figure>
  );
}
