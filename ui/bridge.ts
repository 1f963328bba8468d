// The UI end of src/protocol.ts: send to the main thread, subscribe to what it sends.
// Listening starts when this module loads and early messages are queued, because main may post
// (e.g. 'init') before the panel's effects have subscribed.
import { isMainToUi, type MainToUi, type UiToMain } from '../src/protocol';

type Handler = (m: MainToUi) => void;
const handlers = new Set<Handler>();
const early: MainToUi[] = [];

window.addEventListener('message', (e: MessageEvent) => {
  const m = (e.data as { pluginMessage?: unknown } | null)?.pluginMessage;
  if (!isMainToUi(m)) return;
  if (handlers.size === 0) early.push(m);
  for (const h of handlers) h(m);
});

export function send(message: UiToMain): void {
  // pluginId '*' lets the same UI work when hosted on its own origin (Figma then requires it).
  parent.postMessage({ pluginMessage: message, pluginId: '*' }, '*');
}

/** Calls `handler` for every valid message from main (queued ones first); returns the unsubscribe function. */
export function subscribe(handler: Handler): () => void {
  handlers.add(handler);
  for (const m of early.splice(0)) handler(m);
  return () => handlers.delete(handler);
}
