/** Reading a user's text or JSON file, with an error that names the file and what it should have been. */
import { readFileSync } from 'node:fs';
import { FileFormatError } from './errors.js';

/**
 * @param path the file
 * @param what what the file holds, for the message ("metadata", "run config")
 * @returns its text (UTF-8)
 * @throws FileFormatError naming the file when it cannot be read
 */
export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new FileFormatError(
      path,
      `cannot read the ${what} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

/**
 * @param path a JSON file
 * @param what what the file holds, for the message
 * @returns the parsed value
 * @throws FileFormatError naming the file when it cannot be read or parsed
 */
export function readJsonFile<T = unknown>(path: string, what: string): T {
  const text = readTextFile(path, what);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new FileFormatError(path, `cannot read the ${what} (${(err as Error).message})`);
  }
}
