/**
 * Every name that reaches the file system from a request is either generated here or checked here:
 * job ids are random UUIDs (never chosen by a client), model names must be plain folder names, and a
 * client's file name is reduced to a short, harmless display string that is never used as a path.
 */
import { randomUUID } from 'node:crypto';
import { resolve, sep } from 'node:path';
import { VesaliusError } from '../util/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Letters, digits, '.', '_', '-'; not starting with '.'; at most 64 characters. */
const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

/** The JSON-schema pattern of a job id (used by the routes, so a bad id is a 400 before any handler runs). */
export const JOB_ID_PATTERN = UUID.source;
export const MODEL_NAME_PATTERN = PLAIN_NAME.source;

export function newJobId(): string {
  return randomUUID();
}

export function isJobId(id: string): boolean {
  return UUID.test(id);
}

export function isModelName(name: string): boolean {
  return PLAIN_NAME.test(name) && !name.includes('..');
}

/**
 * A client's file name as a display string: the last path component, only letters, digits and
 * `._-` (others become `_`), at most 80 characters. Used in the job record only; files on disk get
 * generated names.
 */
export function sanitizeName(name: string | undefined): string {
  const last = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = last
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  return clean.length > 0 ? clean : 'upload';
}

/** Joins `parts` under `root` and checks that the result stays inside it (defence in depth). */
export function inside(root: string, ...parts: string[]): string {
  const base = resolve(root);
  const path = resolve(base, ...parts);
  if (path !== base && !path.startsWith(base + sep)) throw new VesaliusError(`refused path outside ${base}`);
  return path;
}
