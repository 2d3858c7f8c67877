/**
 * Builds a signed Backpack request: the headers and body a server expects, signed over the canonical string from
 * `protocol/`. Runs in Node and browsers; imports nothing from the server or the store.
 */
import { findInstructionRoute } from '../protocol/instructions.ts';
import { DEFAULT_WINDOW_MS } from '../protocol/signed-request.ts';
import { formatSigningString, paramsFromObject } from '../protocol/signing-string.ts';
import type { Signer } from './signer.ts';

export type ParamValue = string | number | boolean | null | undefined;
export type Params = Record<string, ParamValue>;

export interface SignedRequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** e.g. `/api/v1/capital` */
  path: string;
  /** GET parameters. */
  query?: Params;
  /** JSON body: an object, or an array of objects for `POST /api/v1/orders`. */
  body?: Params | Params[];
  timestamp?: number;
  window?: number;
}

export interface PreparedRequest {
  method: string;
  /** Path plus query string. */
  pathWithQuery: string;
  headers: Record<string, string>;
  body?: string;
  signingString: string;
}

function queryString(query: Params | undefined): string {
  if (!query) return '';
  const pairs = Object.entries(query)
    .filter(
      (entry): entry is [string, string | number | boolean] => entry[1] !== null && entry[1] !== undefined,
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new URLSearchParams(pairs.map(([k, v]) => [k, String(v)])).toString();
}

export async function createSignedRequest(spec: SignedRequestSpec, signer: Signer): Promise<PreparedRequest> {
  const route = findInstructionRoute(spec.method, spec.path);
  if (!route) throw new TypeError(`${spec.method} ${spec.path} is not a signed Backpack endpoint`);
  const timestamp = String(spec.timestamp ?? Date.now());
  const window = String(spec.window ?? DEFAULT_WINDOW_MS);
  const query = queryString(spec.query);
  let segments;
  if (spec.method === 'GET') segments = [paramsFromObject(Object.fromEntries(new URLSearchParams(query)))];
  else if (Array.isArray(spec.body)) segments = spec.body.map((item) => paramsFromObject(item));
  else segments = [paramsFromObject(spec.body ?? {})];
  const signingString = formatSigningString({ instruction: route.instruction, segments, timestamp, window });
  const headers: Record<string, string> = {
    'X-API-Key': signer.apiKey,
    'X-Signature': await signer.sign(signingString),
    'X-Timestamp': timestamp,
    'X-Window': window,
  };
  const prepared: PreparedRequest = {
    method: spec.method,
    pathWithQuery: query ? `${spec.path}?${query}` : spec.path,
    headers,
    signingString,
  };
  if (spec.method !== 'GET' && spec.body !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    prepared.body = JSON.stringify(spec.body);
  }
  return prepared;
}
