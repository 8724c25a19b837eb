import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { EngineError } from './errors.js';
import type { NativeAddon } from './native-addon.js';

export type { Handle, NativeAddon } from './native-addon.js';

const addonPath = fileURLToPath(new URL('../../build/Release/vesalius.node', import.meta.url));

function load(): NativeAddon {
  if (!existsSync(addonPath)) {
    throw new EngineError(`the native engine is not built (${addonPath} is missing); run \`npm run setup\``);
  }
  // require() of a .node file is untyped: NativeAddon is the declaration, and
  // test/engine/native-addon.test.ts checks it against what the addon exports.
  const addon = createRequire(import.meta.url)(addonPath) as NativeAddon;
  addon.setErrorClass(EngineError);
  return addon;
}

/** The addon's functions, typed by NativeAddon. The TypeScript layer in this folder is its checked face. */
export const native: NativeAddon = load();
