/**
 * Builds a signed Backpack request: the headers and body a server expects, signed over the canonical string from
 * `protocol/`. Runs in Node and browsers; imports nothing from the server or the store.
 *
 * Gateway routes (an operator's own API behind Signet, docs/GATEWAY.md) are not in Backpack's table: give their
 * `instruction`, and a path with `:name` parameters plus `pathParams`, which are put into the path and signed.
 */
import { findInstructionRoute } from '../protocol/instructions.ts';
import { DEFAULT_WINDOW_MS } from '../protocol/signed-request.ts';
import { formatSigningString, paramsFromObject } from '../protocol/signing-string.ts';
import type { Signer } from './signer.ts';

export type ParamValue = string | number | boolean | null | undefined;
export type Params = Record<string, ParamValue>;

export interface SignedRequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. `/api/v1/capital`, or a gateway route's `/v1/things/:id` with `pathParams`. */
  path: string;
  /** A gateway route's instruction; Backpack's own is looked up from the method and path when absent. */
  instruction?: string;
  /** Values of the path's `:name` parameters: percent-encoded into the path and signed like query parameters. */
  pathParams?: Params;
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

/** The path with its `:name` parameters filled in, and the values as signed (strings). */
function fillPath(path: string, values: Params | undefined): { path: string; signed: Params } {
  const signed: Params = {};
  const filled = path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) => {
    const value = values?.[name];
    if (value === undefined || value === null || String(value) === '') {
      throw new TypeError(`Path parameter ${name} has no value`);
    }
    signed[name] = String(value);
    return encodeURIComponent(String(value));
  });
  return { path: filled, signed };
}

export async function createSignedRequest(spec: SignedRequestSpec, signer: Signer): Promise<PreparedRequest> {
  const instruction = spec.instruction ?? findInstructionRoute(spec.method, spec.path)?.instruction;
  if (instruction === undefined) {
    throw new TypeError(
      `${spec.method} ${spec.path} is not a signed Backpack endpoint (give its instruction)`,
    );
  }
  const filled = fillPath(spec.path, spec.pathParams);
  const timestamp = String(spec.timestamp ?? Date.now());
  const window = String(spec.window ?? DEFAULT_WINDOW_MS);
  const query = queryString(spec.query);
  let segments;
  const pathParams = paramsFromObject(filled.signed);
  // As the server reads them (protocol/signed-request.ts): the query alone without a body, else the query's pairs
  // and the body's in one segment, or one segment per item of a batch.
  const queryParams = paramsFromObject(Object.fromEntries(new URLSearchParams(query)));
  if (spec.method === 'GET' || spec.body === undefined) segments = [queryParams];
  else if (Array.isArray(spec.body)) segments = spec.body.map((item) => paramsFromObject(item));
  else segments = [[...queryParams, ...paramsFromObject(spec.body)]];
  if (pathParams.length > 0) segments = segments.map((segment) => [...segment, ...pathParams]);
  const signingString = formatSigningString({ instruction, segments, timestamp, window });
  const headers: Record<string, string> = {
    'X-API-Key': signer.apiKey,
    'X-Signature': await signer.sign(signingString),
    'X-Timestamp': timestamp,
    'X-Window': window,
  };
  const prepared: PreparedRequest = {
    method: spec.method,
    pathWithQuery: query ? `${filled.path}?${query}` : filled.path,
    headers,
    signingString,
  };
  if (spec.method !== 'GET' && spec.body !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    prepared.body = JSON.stringify(spec.body);
  }
  return prepared;
}
