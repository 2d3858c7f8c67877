/**
 * Key formats (docs/PROTOCOL.md "Keys", after Backpack's API docs). API key = base64 of the raw 32-byte ED25519
 * public key; secret = base64 of the 32-byte seed (a 64-byte seed‖public form is accepted, as ccxt and the Go SDK
 * accept it).
 *
 * Threats handled here: a public key that is not a curve point, or is a small-order point (such a key lets
 * anyone forge signatures that verify under lax verifiers), and malformed or ambiguous encodings.
 */
import { ed25519 } from '@noble/curves/ed25519.js';

import { base64Length, decodeBase64, encodeBase64 } from './base64.ts';

export const PUBLIC_KEY_BYTES = 32;
export const SEED_BYTES = 32;
export const SIGNATURE_BYTES = 64;

export type KeyParseResult = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

/** A refused public key says which rule it broke (stable names, see src/errors.ts ERROR_DETAILS). */
export type PublicKeyParseResult =
  | { ok: true; bytes: Uint8Array }
  | {
      ok: false;
      message: string;
      detail: 'PUBLIC_KEY_NOT_BASE64' | 'PUBLIC_KEY_LENGTH' | 'PUBLIC_KEY_NOT_A_POINT';
    };

/** Validates an API key (public key): canonical base64, exactly 32 bytes, a valid point not of small order. */
export function parsePublicKey(text: string): PublicKeyParseResult {
  const trimmed = text.trim();
  const bytes = decodeBase64(trimmed);
  if (!bytes)
    return {
      ok: false,
      message: 'Public key must be standard padded base64',
      detail: 'PUBLIC_KEY_NOT_BASE64',
    };
  if (bytes.length !== PUBLIC_KEY_BYTES) {
    return {
      ok: false,
      message: `Public key must decode to ${PUBLIC_KEY_BYTES} bytes, got ${bytes.length}`,
      detail: 'PUBLIC_KEY_LENGTH',
    };
  }
  let point;
  try {
    point = ed25519.Point.fromBytes(bytes);
  } catch {
    return {
      ok: false,
      message: 'Public key is not a valid ED25519 curve point',
      detail: 'PUBLIC_KEY_NOT_A_POINT',
    };
  }
  if (point.isSmallOrder())
    return {
      ok: false,
      message: 'Public key is a small-order point and cannot be used',
      detail: 'PUBLIC_KEY_NOT_A_POINT',
    };
  return { ok: true, bytes };
}

/** Cheap shape check for the hot path: could `text` be an API key at all (44 base64 characters)? */
export function looksLikePublicKey(text: string): boolean {
  // 32 bytes = 43 base64 characters + '='; canonical only if the last character's 2 spare bits are zero.
  return text.length === base64Length(PUBLIC_KEY_BYTES) && CANONICAL_32_BYTES.test(text);
}

const CANONICAL_32_BYTES = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** Reads a secret: base64 of a 32-byte seed, or of 64 bytes seed‖public whose public half must match. */
export function parseSecret(text: string): KeyParseResult {
  const bytes = decodeBase64(text.trim());
  if (!bytes) return { ok: false, message: 'Secret must be standard padded base64' };
  if (bytes.length === SEED_BYTES) return { ok: true, bytes };
  if (bytes.length === SEED_BYTES + PUBLIC_KEY_BYTES) {
    const seed = bytes.slice(0, SEED_BYTES);
    const derived = ed25519.getPublicKey(seed);
    const given = bytes.slice(SEED_BYTES);
    if (!derived.every((b, i) => b === given[i])) {
      return { ok: false, message: 'Secret of 64 bytes must be seed followed by its own public key' };
    }
    return { ok: true, bytes: seed };
  }
  return { ok: false, message: `Secret must decode to 32 bytes (or 64), got ${bytes.length}` };
}

/** The API key (base64 public key) that belongs to a 32-byte seed. Pure JS; for hot paths use ed25519-node. */
export function derivePublicKey(seed: Uint8Array): string {
  return encodeBase64(ed25519.getPublicKey(seed));
}
