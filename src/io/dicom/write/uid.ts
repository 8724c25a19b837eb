/**
 * DICOM UIDs under the "2.25" root (PS3.5 B.2): the decimal value of a 128-bit UUID (RFC 9562), so
 * no organisation root is needed and the UID is at most 44 characters.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Marks 16 bytes as a UUID of `version` (4 random, 8 custom) with the RFC variant bits. */
function asUuid(bytes: Uint8Array, version: number): bigint {
  const b = Uint8Array.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | (version << 4);
  b[8] = (b[8]! & 0x3f) | 0x80;
  return BigInt(`0x${Buffer.from(b).toString('hex')}`);
}

/** A new random UID (UUID version 4 under 2.25). */
export function newUid(): string {
  return `2.25.${asUuid(randomBytes(16), 4)}`;
}

/**
 * A UID derived from `input` with a keyed hash (HMAC-SHA-256 of `secret`): the same input and secret
 * always give the same UID, and without the secret the input cannot be recovered or tested.
 */
export function derivedUid(secret: string | Uint8Array, input: string): string {
  const digest = createHmac('sha256', secret).update(input).digest();
  return `2.25.${asUuid(digest, 8)}`;
}

const UID_PATTERN = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

/** Is `value` a syntactically valid UID (PS3.5 9.1: digits and dots, no leading zeros, ≤ 64 chars)? */
export function isValidUid(value: string): boolean {
  return value.length > 0 && value.length <= 64 && UID_PATTERN.test(value);
}
