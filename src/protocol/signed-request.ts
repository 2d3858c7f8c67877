/**
 * Reads a Backpack signed request: the auth headers, the instruction for (method, path), and the signing string
 * the server rebuilds from the parsed query or JSON body (docs/PROTOCOL.md "The signing string"). Pure: no key lookup, no clock.
 *
 * Routes: a Backpack path is looked up in the instruction table; a gateway route (an operator's own API,
 * src/gateway/) comes resolved in the input, with the parameters of its path (`/v1/things/:id`), which are signed
 * like query parameters: otherwise a signature for `/v1/things/1` would be good for `/v1/things/2`.
 *
 * Header rules: names are case-insensitive; `X-API-Key`, `X-Signature` and `X-Timestamp` are required;
 * `X-Window` is optional and `5000` is signed when it is absent; header values are signed exactly as received.
 * A repeated header (Node joins repeats with ", ") is malformed, never silently reduced to one value.
 */
import { parse as parseLossless } from 'lossless-json';

import { base64Length } from './base64.ts';
import { findInstructionRoute, type InstructionRoute } from './instructions.ts';
import { exceedsNestingDepth, MAX_BODY_DEPTH } from './json-depth.ts';
import { looksLikePublicKey, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './key-encoding.ts';
import {
  formatSigningString,
  paramsFromObject,
  paramsFromQuery,
  type Encoding,
  type SignedParam,
} from './signing-string.ts';

export const DEFAULT_WINDOW_MS = 5000;
export const MAX_WINDOW_MS = 60_000;

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface SignedRequestInput {
  method: string;
  path: string;
  /** The raw query string without `?`. */
  query: string;
  /** The parsed JSON body (undefined when there is none). */
  body: unknown;
  /** The body text as received, when available: lets numbers be signed exactly as sent (`100.10`). */
  rawBody?: string;
  headers: HeaderBag;
  /** The route, when the caller resolved it (gateway routes); looked up by method and path when absent. */
  route?: InstructionRoute;
  /** The route's path parameters (decoded), signed with the query and body parameters. */
  pathParams?: Readonly<Record<string, string>>;
}

export interface SignedRequest {
  route: InstructionRoute;
  apiKey: string;
  signature: string;
  timestamp: number;
  window: number;
  /** The canonical signing string (what every client signs for ordinary values). */
  signingString: string;
  /** Other spellings real clients sign for unusual values (ccxt's percent-encoding, a raw query); may be empty. */
  alternativeSigningStrings: () => string[];
}

/**
 * Why a request could not be read, for callers that answer by reason (the stream server): a missing auth header,
 * a malformed header or body, or no signed endpoint at the method and path. Each goes with one code.
 */
export type ParseRefusalReason = 'missing_header' | 'malformed' | 'unknown_route';

export type SignedRequestFailure = {
  ok: false;
  code: 'UNAUTHORIZED' | 'INVALID_CLIENT_REQUEST' | 'RESOURCE_NOT_FOUND';
  message: string;
  reason: ParseRefusalReason;
};

export type ParseSignedRequestResult = { ok: true; request: SignedRequest } | SignedRequestFailure;

/** Case-insensitive header lookup; Node already lowercases, so the fast path is one property read. */
export function readHeader(headers: HeaderBag, name: string): string | undefined {
  const lower = name.toLowerCase();
  let value = headers[lower];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === lower) {
        value = headers[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

const REASON_OF_CODE = {
  UNAUTHORIZED: 'missing_header',
  INVALID_CLIENT_REQUEST: 'malformed',
  RESOURCE_NOT_FOUND: 'unknown_route',
} as const satisfies Record<SignedRequestFailure['code'], ParseRefusalReason>;

const fail = (code: SignedRequestFailure['code'], message: string): SignedRequestFailure => ({
  ok: false,
  code,
  message,
  reason: REASON_OF_CODE[code],
});
const DIGITS = /^\d{1,16}$/;
/**
 * 64 bytes = 85 base64 characters + one that carries 2 bits and 4 spare ones + `==`. Only the spelling whose spare
 * bits are zero is canonical: otherwise 16 spellings of one signature verify (decoders ignore spare bits), and a
 * replay guard keyed by the signature text could be walked around.
 */
const CANONICAL_SIGNATURE = /^[A-Za-z0-9+/]{85}[AQgw]==$/;

function segmentsOf(
  input: SignedRequestInput,
  route: InstructionRoute,
  encoding: Encoding,
): SignedParam[][] | SignedRequestFailure {
  const segments = segmentsWithoutPath(input, route, encoding);
  if (input.pathParams === undefined || !Array.isArray(segments)) return segments;
  const path = paramsFromObject(input.pathParams, encoding);
  const out: SignedParam[][] = [];
  for (const segment of segments) {
    const given = new Set(segment.map(([key]) => key));
    // A client that also sends the parameter (ccxt signs only what it sends) signs it once, with the same value.
    const clash = path.find(([key, value]) => segment.some(([k, v]) => k === key && v !== value));
    if (clash) {
      return fail('INVALID_CLIENT_REQUEST', `Parameter ${clash[0]} differs between the path and the request`);
    }
    out.push([...segment, ...path.filter(([key]) => !given.has(key))]);
  }
  return out;
}

function segmentsWithoutPath(
  input: SignedRequestInput,
  route: InstructionRoute,
  encoding: Encoding,
): SignedParam[][] | SignedRequestFailure {
  const queryParams = paramsFromQuery(input.query);
  if (route.method === 'GET' || input.body === undefined || input.body === null || input.body === '') {
    const params =
      encoding === 'rfc3986'
        ? paramsFromObject(Object.fromEntries(queryParams), 'rfc3986')
        : (queryParams as SignedParam[]);
    return [params];
  }
  // Bodies are flat in Backpack's API (a batch is an array of flat objects); a deep body is refused here, before
  // anything recursive (canonicalisation, percent-encoding, lossless re-parsing) touches it.
  if (exceedsNestingDepth(input.body, MAX_BODY_DEPTH)) {
    return fail('INVALID_CLIENT_REQUEST', `Body is nested deeper than ${MAX_BODY_DEPTH} levels`);
  }
  if (route.batch) {
    if (!Array.isArray(input.body) || input.body.length === 0) {
      return fail('INVALID_CLIENT_REQUEST', 'Body must be a non-empty JSON array of orders');
    }
    const segments: SignedParam[][] = [];
    for (const item of input.body) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        return fail('INVALID_CLIENT_REQUEST', 'Each order in the batch must be a JSON object');
      }
      segments.push(paramsFromObject(item as Record<string, unknown>, encoding));
    }
    return segments;
  }
  if (typeof input.body !== 'object' || Array.isArray(input.body)) {
    return fail('INVALID_CLIENT_REQUEST', 'Body must be a JSON object');
  }
  // The Rust client signs query pairs first and body pairs after them when a request has both.
  return [[...queryParams, ...paramsFromObject(input.body as Record<string, unknown>, encoding)]];
}

/** The same request with its body re-parsed so that numbers keep the text the client sent, if that differs. */
function numbersAsSent(input: SignedRequestInput): SignedRequestInput | undefined {
  if (input.rawBody === undefined || !/\d/.test(input.rawBody)) return undefined;
  try {
    return { ...input, body: parseLossless(input.rawBody) };
  } catch {
    return undefined;
  }
}

/** Parses headers, finds the instruction and rebuilds the signing string; does not verify anything yet. */
export function parseSignedRequest(input: SignedRequestInput): ParseSignedRequestResult {
  const route = input.route ?? findInstructionRoute(input.method, input.path);
  if (!route) return fail('RESOURCE_NOT_FOUND', `No signed endpoint ${input.method} ${input.path}`);

  const apiKey = readHeader(input.headers, 'x-api-key');
  const signature = readHeader(input.headers, 'x-signature');
  const timestampText = readHeader(input.headers, 'x-timestamp');
  const windowHeader = readHeader(input.headers, 'x-window');
  if (apiKey === undefined || apiKey === '') return fail('UNAUTHORIZED', 'Missing X-API-Key header');
  if (signature === undefined || signature === '') return fail('UNAUTHORIZED', 'Missing X-Signature header');
  if (timestampText === undefined || timestampText === '')
    return fail('UNAUTHORIZED', 'Missing X-Timestamp header');

  if (!looksLikePublicKey(apiKey)) {
    return fail(
      'INVALID_CLIENT_REQUEST',
      `X-API-Key must be the base64 of a ${PUBLIC_KEY_BYTES}-byte ED25519 public key`,
    );
  }
  if (signature.length !== base64Length(SIGNATURE_BYTES) || !CANONICAL_SIGNATURE.test(signature)) {
    return fail(
      'INVALID_CLIENT_REQUEST',
      `X-Signature must be the base64 of a ${SIGNATURE_BYTES}-byte ED25519 signature`,
    );
  }
  if (!DIGITS.test(timestampText)) {
    return fail('INVALID_CLIENT_REQUEST', 'X-Timestamp must be Unix time in milliseconds (digits only)');
  }
  const windowText = windowHeader ?? String(DEFAULT_WINDOW_MS);
  const window = DIGITS.test(windowText) ? Number(windowText) : NaN;
  if (!(window >= 1 && window <= MAX_WINDOW_MS)) {
    return fail(
      'INVALID_CLIENT_REQUEST',
      `X-Window must be a whole number of milliseconds from 1 to ${MAX_WINDOW_MS}`,
    );
  }

  const segments = segmentsOf(input, route, 'plain');
  if (!Array.isArray(segments)) return segments;
  const build = (s: readonly (readonly SignedParam[])[]): string =>
    formatSigningString({
      instruction: route.instruction,
      segments: s,
      timestamp: timestampText,
      window: windowText,
    });
  const signingString = build(segments);

  const alternativeSigningStrings = (): string[] => {
    const out = new Set<string>();
    const encoded = segmentsOf(input, route, 'rfc3986');
    if (Array.isArray(encoded)) out.add(build(encoded));
    if (input.query !== '') out.add(build([paramsFromQuery(input.query, { decode: false })]));
    const asSent = numbersAsSent(input);
    if (asSent) {
      const segments = segmentsOf(asSent, route, 'plain');
      if (Array.isArray(segments)) out.add(build(segments));
    }
    out.delete(signingString);
    return [...out];
  };

  return {
    ok: true,
    request: {
      route,
      apiKey,
      signature,
      timestamp: Number(timestampText),
      window,
      signingString,
      alternativeSigningStrings,
    },
  };
}

export type TimeWindowResult = { ok: true } | { ok: false; message: string };

/**
 * How far ahead of the server's clock a timestamp may be (ms). Without a bound, a client-chosen timestamp 59 s
 * ahead with a 60 s window kept a request valid (and its replay entry alive) for about two minutes; with it, a
 * request is valid at most `window + 5 s` after it arrives, judged by the server's clock.
 */
export const MAX_TIMESTAMP_LEAD_MS = 5_000;

/**
 * A request is valid while `now - timestamp <= window` and `timestamp - now <= min(window, 5 s)` (all in ms): a
 * request may come from a client whose clock is slightly ahead, never from far in the future. `maxAgeMs` (a signed
 * stream SUBSCRIBE only, docs/STREAMS.md "Reconnecting") lets a past timestamp be up to that old even when its
 * window is shorter.
 */
export function checkTimeWindow(
  timestamp: number,
  window: number,
  now: number,
  maxAgeMs = 0,
): TimeWindowResult {
  if (now - timestamp > window && now - timestamp > maxAgeMs) {
    return { ok: false, message: 'Request has expired' };
  }
  if (timestamp - now > Math.min(window, MAX_TIMESTAMP_LEAD_MS)) {
    return {
      ok: false,
      message: `Request timestamp is in the future (more than ${Math.min(window, MAX_TIMESTAMP_LEAD_MS)} ms ahead of the server's clock)`,
    };
  }
  return { ok: true };
}
