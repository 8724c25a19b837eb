/**
 * API keys. A key is `vsk_<id>_<secret>` (the id names it in logs and files; the secret is 32 random
 * bytes). Only the SHA-256 of a key is stored — keys are long random strings, so a fast hash is
 * enough, as for GitHub's tokens — and comparisons are constant-time. Each key has scopes:
 * `read` (models, jobs, results, monitoring), `submit` (send jobs, cancel/delete one's own, save
 * corrections), `admin` (everything, any job). The key file is re-read when it changes on disk, so a
 * key revoked with `vesalius keys revoke` stops working on the next request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.js';
import { FileFormatError, OptionError } from '../util/errors.js';

export type Scope = 'read' | 'submit' | 'admin';
export const SCOPES: readonly Scope[] = ['read', 'submit', 'admin'];

export interface KeyRecord {
  id: string;
  name: string;
  /** "sha256:<hex>" of the whole key. */
  hash: string;
  scopes: Scope[];
  created: string;
  revoked?: string;
}

export interface KeyFile {
  keys: KeyRecord[];
}

/** Who made a request: the key's id, name and scopes. */
export interface Principal {
  keyId: string;
  name: string;
  scopes: Scope[];
}

/** The stored form of a key: `sha256:<hex>`. */
export function hashKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/**
 * Scopes from a comma-separated list.
 *
 * @param text - e.g. "read,submit"
 * @param option - the option named in errors
 * @throws OptionError for an empty list or an unknown scope
 */
export function parseScopes(text: string, option = 'scopes'): Scope[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0) throw new OptionError(option, 'give at least one of read, submit, admin');
  for (const s of scopes)
    if (!SCOPES.includes(s as Scope)) throw new OptionError(option, `unknown scope "${s}" (read, submit, admin)`);
  return [...new Set(scopes)] as Scope[];
}

/** Whether `principal` may do what needs `scope` (admin may do everything). */
export function allows(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

/** A new key and its record; the key itself is shown once and never stored. */
export function createKey(name: string, scopes: Scope[]): { key: string; record: KeyRecord } {
  const id = randomBytes(4).toString('hex');
  const key = `vsk_${id}_${randomBytes(32).toString('base64url')}`;
  return { key, record: { id, name, hash: hashKey(key), scopes, created: new Date().toISOString() } };
}

/**
 * Reads a key file (none: no keys).
 *
 * @throws FileFormatError when it is not a key file
 */
export function readKeyFile(path: string): KeyFile {
  if (!existsSync(path)) return { keys: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FileFormatError(path, `not a JSON key file (${(err as Error).message})`);
  }
  const keys = (parsed as KeyFile | null)?.keys;
  if (!Array.isArray(keys)) throw new FileFormatError(path, 'expected {"keys": [...]}');
  for (const k of keys) {
    if (typeof k?.id !== 'string' || typeof k.hash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(k.hash))
      throw new FileFormatError(path, `key entries need an id and a "sha256:<hex>" hash`);
    parseScopes((k.scopes ?? []).join(','), `${path}: key ${k.id} scopes`);
  }
  return { keys };
}

/** Adds a new key to the file (created if absent); returns the key, to be shown once. */
export function addKey(path: string, name: string, scopes: Scope[]): { key: string; record: KeyRecord } {
  const file = readKeyFile(path);
  const made = createKey(name, scopes);
  file.keys.push(made.record);
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
  return made;
}

/** Marks a key revoked (by id or name); returns how many were revoked. */
export function revokeKey(path: string, idOrName: string): number {
  const file = readKeyFile(path);
  let n = 0;
  for (const k of file.keys) {
    if ((k.id === idOrName || k.name === idOrName) && !k.revoked) {
      k.revoked = new Date().toISOString();
      n++;
    }
  }
  if (n > 0) writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
  return n;
}

/**
 * The keys a server accepts: those of a key file (re-read when its modification time changes) and
 * those given directly (hashed at once; the plain text is not kept).
 */
export class KeyStore {
  private fileKeys: KeyRecord[] = [];
  private mtime = -1;
  private readonly direct: KeyRecord[];

  /**
   * The keys of a file and of the command line.
   *
   * @param file - a key file (re-read when it changes), or undefined
   * @param direct - keys given directly (for example on the command line)
   */
  constructor(
    private readonly file?: string,
    direct: { key: string; scopes: Scope[]; name?: string }[] = [],
  ) {
    this.direct = direct.map((d, i) => {
      if (d.key.length < 16) throw new OptionError('api-key', 'a key must have at least 16 characters');
      return {
        id: `cli${i}`,
        name: d.name ?? `command-line key ${i + 1}`,
        hash: hashKey(d.key),
        scopes: d.scopes,
        created: new Date().toISOString(),
      };
    });
    this.refresh();
  }

  /** How many usable (unrevoked) keys there are. */
  get size(): number {
    this.refresh();
    return [...this.fileKeys, ...this.direct].filter((k) => !k.revoked).length;
  }

  private refresh(): void {
    if (!this.file) return;
    const mtime = existsSync(this.file) ? statSync(this.file).mtimeMs : 0;
    if (mtime === this.mtime) return;
    this.fileKeys = readKeyFile(this.file).keys;
    this.mtime = mtime;
  }

  /** The principal of a presented key, or undefined when it is unknown or revoked. */
  verify(presented: string): Principal | undefined {
    this.refresh();
    const digest = Buffer.from(hashKey(presented));
    let found: KeyRecord | undefined;
    // compare against every key (no early exit) so timing says nothing about which matched
    for (const k of [...this.fileKeys, ...this.direct]) {
      const stored = Buffer.from(k.hash);
      if (stored.length === digest.length && timingSafeEqual(stored, digest)) found = k;
    }
    if (!found || found.revoked) return undefined;
    return { keyId: found.id, name: found.name, scopes: [...found.scopes] };
  }
}
