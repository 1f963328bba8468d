// Plugin entry on Figma's main thread (dist/code.js): everything is in plugin.ts.
import { startPlugin } from './plugin';

void startPlugin(__html__);
