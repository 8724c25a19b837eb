import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// The garbage collector, without starting node with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Collects garbage and lets the finalizers run. A test that counts live tensors across an `await` calls this
 * first: otherwise tensors forgotten by earlier tests may be finalized in the middle and change the count.
 */
export async function collectGarbage(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
