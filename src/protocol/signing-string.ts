/**
 * Canonical bytes first: the one place that turns request parameters into the exact string Backpack signs.
 *
 *   instruction=<name>[&k=v ... sorted by key]&timestamp=<X-Timestamp>&window=<X-Window>
 *
 * Values: strings as they are, booleans `true`/`false`, numbers as JavaScript prints the parsed number (which is
 * what ccxt, the Rust client, bpx-py and the Go SDK all sign), `null`/`undefined` dropped, nested values as JSON.
 * Keys sort by UTF-16 code unit (ccxt's `Object.keys().sort()`); equal keys keep their order (repeated query
 * parameters). A batch signs one `instruction=...` segment per item and the timestamp and window once.
 * Pure: no I/O, runs in Node and in browsers.
 */

export type SignedParam = readonly [key: string, value: string];

export type Encoding = 'plain' | 'rfc3986';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** ccxt percent-encodes every value with `encodeURIComponent` plus `!'()*` (RFC 3986) before signing. */
export function encodeRfc3986(value: string): string {
  // A lone surrogate cannot be percent-encoded (encodeURIComponent throws, and no client can sign it this way):
  // it is spelt as U+FFFD, so hostile input costs a failed verification, never an exception.
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD')).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

import { isLosslessNumber } from 'lossless-json';

import { MAX_BODY_DEPTH } from './json-depth.ts';

/** Numbers parsed with lossless-json keep the digits the client sent (`100.10`, `1e2`, huge integers). */
function canonicalScalar(value: unknown): string | undefined {
  if (isLosslessNumber(value)) return value.toString();
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return String(value);
    default:
      return value === null || value === undefined ? undefined : JSON.stringify(value);
  }
}

/**
 * ccxt's `urlencode` flattens nested values with bracket keys: `{a:{b:1}}` signs as `a%5Bb%5D=1`. Recursion is
 * bounded: past MAX_BODY_DEPTH this throws (the server refuses such bodies before building anything).
 */
function flattenForRfc3986(key: string, value: unknown, out: SignedParam[], depth = 1): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object' && !isLosslessNumber(value)) {
    if (depth > MAX_BODY_DEPTH) throw new RangeError(`Value nested deeper than ${MAX_BODY_DEPTH} levels`);
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      flattenForRfc3986(`${key}[${k}]`, v, out, depth + 1);
    return;
  }
  out.push([encodeRfc3986(key), encodeRfc3986(canonicalScalar(value) ?? '')]);
}

/** The signed pairs of one JSON object (a body, or one item of a batch body). */
export function paramsFromObject(
  object: Record<string, unknown>,
  encoding: Encoding = 'plain',
): SignedParam[] {
  const out: SignedParam[] = [];
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (encoding === 'rfc3986') {
      flattenForRfc3986(key, value, out);
      continue;
    }
    const text = canonicalScalar(value);
    if (text !== undefined) out.push([key, text]);
  }
  return out;
}

/** The pairs of a raw query string (`a=1&b=x%20y`), URL-decoded unless `decode: false`. */
export function paramsFromQuery(
  query: string,
  options: { decode: boolean } = { decode: true },
): SignedParam[] {
  if (query === '') return [];
  if (options.decode) return [...new URLSearchParams(query)];
  const out: SignedParam[] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.push(eq === -1 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]);
  }
  return out;
}

function compareKeys(a: SignedParam, b: SignedParam): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function formatSegment(instruction: string, params: readonly SignedParam[]): string {
  let out = `instruction=${instruction}`;
  for (const [key, value] of [...params].sort(compareKeys)) out += `&${key}=${value}`;
  return out;
}

export interface SigningStringInput {
  instruction: string;
  /** One list of pairs per segment: a single segment for ordinary requests, one per item for a batch. */
  segments: readonly (readonly SignedParam[])[];
  timestamp: string;
  window: string;
}

/** The exact string that is signed. Client, server and tests all build it here. */
export function formatSigningString(input: SigningStringInput): string {
  const segments = input.segments.length === 0 ? [[]] : input.segments;
  const body = segments.map((params) => formatSegment(input.instruction, params)).join('&');
  return `${body}&timestamp=${input.timestamp}&window=${input.window}`;
}
