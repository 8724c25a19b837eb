import { OptionError } from '../util/errors.js';

/**
 * Runs library code for a subcommand, renaming the library's option names in its errors to the
 * command-line flags that set them (`probability` → `--prob`), so the one-line error names what the
 * user typed.
 */
export async function withFlagNames<T>(flags: Record<string, string>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof OptionError && Object.hasOwn(flags, err.option)) {
      throw new OptionError(flags[err.option]!, err.reason);
    }
    throw err;
  }
}

/**
 * A numeric flag's value, checked: `check` false is an OptionError naming `option`, with `what` saying
 * what was expected ("must be in [0, 1)").
 */
export function numberFlag(value: string, option: string, check: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (!check(n)) throw new OptionError(option, `${what}, got "${value}"`);
  return n;
}
