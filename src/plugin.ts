// The plugin on Figma's main thread: show the UI, route its messages, forward selection changes, and
// stop the run when the plugin closes. main.ts starts it; the unit tests start it on the stand-in.
import { readRelaunch } from './place-result';
import { selectionFor } from './jobs';
import { DEFAULT_SETTINGS, isUiToMain, type MainToUi, type RunOptions, type ToolId, type UiToMain } from './protocol';
import { RunController, JOB_TIMEOUT } from './run';
import { loadSettings, saveSettings } from './settings';

export const UI_SIZE = { width: 320, height: 520 };

/** "Run again" on a result: select its source again (when it still exists) and return its options. */
async function relaunchOptions(): Promise<RunOptions | null> {
  if (figma.command !== 'run-again') return null;
  const result = figma.currentPage.selection[0];
  const data = result ? readRelaunch(result) : null;
  if (!data) return null;
  const source = await figma.getNodeByIdAsync(data.sourceId);
  if (source && !source.removed && source.type !== 'PAGE' && source.type !== 'DOCUMENT') {
    figma.currentPage.selection = [source as SceneNode];
  }
  return data.options;
}

export async function startPlugin(html: string, timeouts = JOB_TIMEOUT): Promise<RunController> {
  // Once the plugin closes, Figma's API is gone: nothing more may be sent or written.
  let closed = false;
  const post = (m: MainToUi) => {
    if (!closed) figma.ui.postMessage(m);
  };
  const controller = new RunController(post, timeouts);
  // What counts as a valid selection depends on the panel's tool (inpaint: an image and shapes).
  let tool: ToolId = DEFAULT_SETTINGS.tool;
  const postSelection = async () => {
    const selection = await selectionFor(tool, figma.currentPage.selection);
    post({ type: 'selection', selection });
  };
  const handlers: { [K in UiToMain['type']]: (m: Extract<UiToMain, { type: K }>) => void | Promise<void> } = {
    'run-request': (m) => controller.start(m),
    'job-result': (m) => controller.jobResult(m),
    'job-failed': (m) => controller.jobFailed(m),
    cancel: (m) => controller.cancel(m.runId),
    'save-settings': async (m) => {
      const changedTool = (m.settings.tool ?? 'restore') !== tool;
      tool = m.settings.tool ?? 'restore';
      await saveSettings(m.settings);
      if (changedTool) await postSelection();
    },
    resize: (m) => figma.ui.resize(m.width, m.height),
    close: () => figma.closePlugin(),
  };
  figma.showUI(html, { ...UI_SIZE, themeColors: true, title: 'Onestep' });
  figma.ui.onmessage = (msg: unknown) => {
    if (closed) return;
    if (!isUiToMain(msg)) {
      console.warn('onestep: dropped a malformed message from the UI', (msg as { type?: unknown } | null)?.type);
      return;
    }
    const handler = handlers[msg.type] as (m: UiToMain) => void | Promise<void>;
    Promise.resolve(handler(msg)).catch((err) => console.error('onestep:', err));
  };
  figma.on('selectionchange', () => void postSelection().catch(() => {}));
  // Closing mid-run cancels the run: its pending job and any await before writing see it, so no layer is added.
  figma.on('close', () => {
    controller.cancel();
    closed = true;
  });
  const relaunch = await relaunchOptions();
  const settings = await loadSettings().catch(() => DEFAULT_SETTINGS);
  // Run again: the tool the result was made with; else the one last used.
  tool = relaunch?.tool ?? (relaunch ? 'restore' : settings.tool);
  post({ type: 'init', command: figma.command, selection: await selectionFor(tool, figma.currentPage.selection), settings, relaunch });
  return controller;
}
