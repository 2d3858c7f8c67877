/**
 * A gateway request's body: the bytes as received (forwarded unchanged) and the JSON the signing string is built
 * from. Pure; shared by the gateway's routes and the embedded verifier, so both accept exactly the same bodies.
 *
 * Refused (400): bytes that are not UTF-8 (the client signed characters; replacement characters would change
 * them), nesting deeper than MAX_BODY_DEPTH (checked by a linear scan before anything recursive runs), a key
 * given twice with different values (the last would be signed, an upstream parser might obey the first), text
 * that is not JSON. An empty or blank body is no body.
 */
import { parse as parseLossless } from 'lossless-json';

import { jsonTextExceedsDepth, MAX_BODY_DEPTH } from '../protocol/json-depth.ts';

export type GatewayBody =
  { ok: true; text: undefined } | { ok: true; text: string } | { ok: false; message: string };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Checks the bytes and returns their text, ready for the JSON parser; `text` undefined when there is no body. */
export function readGatewayBody(bytes: Uint8Array): GatewayBody {
  if (bytes.length === 0) return { ok: true, text: undefined };
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { ok: false, message: 'Body is not valid UTF-8' };
  }
  if (text.trim() === '') return { ok: true, text: undefined };
  if (jsonTextExceedsDepth(text, MAX_BODY_DEPTH)) {
    return { ok: false, message: `Body is nested deeper than ${MAX_BODY_DEPTH} levels` };
  }
  try {
    parseLossless(text);
  } catch (error) {
    const duplicate = /Duplicate key '([^']{0,64})/.exec((error as Error).message);
    return {
      ok: false,
      message: duplicate ? `Body repeats the key ${JSON.stringify(duplicate[1])}` : 'Body is not valid JSON',
    };
  }
  return { ok: true, text };
}
