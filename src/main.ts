// Plugin entry on Figma's main thread: show the UI, route its messages, forward selection changes.
import { readRelaunch } from './place-result';
import { DEFAULT_SETTINGS, isUiToMain, type MainToUi, type RunOptions, type UiToMain } from './protocol';
import { RunController } from './run';
import { readSelection } from './selection';
import { loadSettings, saveSettings } from './settings';

const UI_SIZE = { width: 320, height: 520 };

function post(m: MainToUi): void {
  figma.ui.postMessage(m);
}

const controller = new RunController(post);

async function postSelection(): Promise<void> {
  post({ type: 'selection', selection: await readSelection(figma.currentPage.selection) });
}

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

const handlers: { [K in UiToMain['type']]: (m: Extract<UiToMain, { type: K }>) => void | Promise<void> } = {
  'run-request': (m) => controller.start(m),
  'job-result': (m) => controller.jobResult(m),
  'job-failed': (m) => controller.jobFailed(m),
  cancel: (m) => controller.cancel(m.runId),
  'save-settings': (m) => saveSettings(m.settings),
  resize: (m) => figma.ui.resize(m.width, m.height),
  close: () => figma.closePlugin(),
};

async function main(): Promise<void> {
  figma.showUI(__html__, { ...UI_SIZE, themeColors: true, title: 'Onestep' });
  figma.ui.onmessage = (msg: unknown) => {
    if (!isUiToMain(msg)) return;
    const handler = handlers[msg.type] as (m: UiToMain) => void | Promise<void>;
    Promise.resolve(handler(msg)).catch((err) => console.error('onestep:', err));
  };
  figma.on('selectionchange', () => void postSelection());
  figma.on('close', () => controller.cancel());
  const relaunch = await relaunchOptions();
  const settings = await loadSettings().catch(() => DEFAULT_SETTINGS);
  post({ type: 'init', command: figma.command, selection: await readSelection(figma.currentPage.selection), settings, relaunch });
}

void main();
