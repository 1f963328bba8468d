// Panel settings in clientStorage (per user and machine): a versioned key, defaults under stored values.
import { DEFAULT_SETTINGS, normaliseSeed, type Settings } from './protocol';

export const SETTINGS_KEY = 'settings.v1';

export async function loadSettings(): Promise<Settings> {
  try {
    const stored = (await figma.clientStorage.getAsync(SETTINGS_KEY)) as Partial<Settings> | undefined;
    const settings = Object.assign({}, DEFAULT_SETTINGS, stored ?? {});
    // a seed saved before seeds were bounded: the one that draws the same noise
    settings.seed = normaliseSeed(settings.seed) ?? DEFAULT_SETTINGS.seed;
    return settings;
  } catch {
    return Object.assign({}, DEFAULT_SETTINGS);
  }
}

export async function saveSettings(settings: Settings): Promise<void> {
  await figma.clientStorage.setAsync(SETTINGS_KEY, settings);
}
