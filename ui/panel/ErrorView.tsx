// One failure, in the words of src/messages.ts, with the technical detail folded away.
import { MESSAGES } from '../../src/messages';
import type { ErrorCode } from '../../src/protocol';

export function ErrorView({ code, detail, layer, quiet }: { code: ErrorCode; detail?: string; layer?: string; quiet?: boolean }) {
  return (
    <div class={quiet ? 'hint' : 'error'} data-testid={quiet ? 'hint' : 'error'} data-code={code}>
      {layer ? `\u201c${layer}\u201d: ` : ''}{MESSAGES[code] ?? MESSAGES.internal}
      {detail ? <details><summary>Details</summary><code>{detail}</code></details> : null}
    </div>
  );
}
