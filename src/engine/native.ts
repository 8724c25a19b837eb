import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { EngineError } from './errors.js';

/** An opaque native tensor handle (a Node-API external). */
export type Handle = { readonly __vesaliusHandle: unique symbol };

const addonPath = fileURLToPath(new URL('../../build/Release/vesalius.node', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: replaced by the NativeAddon interface
function load(): any {
  if (!existsSync(addonPath)) {
    throw new EngineError(`the native engine is not built (${addonPath} is missing); run \`npm run setup\``);
  }
  const addon = createRequire(import.meta.url)(addonPath);
  addon.setErrorClass(EngineError);
  return addon;
}

/** The addon's functions (see native/src/*.cpp for each argument list). Untyped on purpose: the
 * TypeScript layer in this folder is the typed, checked face of it. */
// biome-ignore lint/suspicious/noExplicitAny: replaced by the NativeAddon interface
export const native: any = load();
