import assert from 'node:assert/strict';
import { FileFormatError } from '../../../src/util/errors.js';

/** For assert.rejects: a one-line FileFormatError whose message names `path` and matches `reason`. */
export function oneLineError(path: string, reason: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof FileFormatError, `expected FileFormatError, got ${e}`);
    assert.ok(e.message.startsWith(path), e.message);
    assert.match(e.message, reason);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  };
}
