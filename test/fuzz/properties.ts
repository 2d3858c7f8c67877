/**
 * The fuzz properties, shared by the bounded run in `npm test` (test/fuzz/fuzz.test.ts) and long runs
 * (`npm run fuzz -- --seconds N`, test/fuzz/run.ts). Each property drives real parts: the signing-string builder,
 * the header parser, the JSON body parser and every signed and public route through `app.inject()`.
 *
 * What must hold: no 5xx and no throw for any input; a body of any depth or size is answered; and no mutation of a
 * correctly signed request ever verifies.
 */
import fc from 'fast-check';

import { createSignedRequest } from '../../src/client/signed-request.ts';
import { createSigner, type Signer } from '../../src/client/signer.ts';
import { INSTRUCTION_ROUTES } from '../../src/protocol/instructions.ts';
import { parseSignedRequest } from '../../src/protocol/signed-request.ts';
import { formatSigningString, paramsFromObject } from '../../src/protocol/signing-string.ts';
import type { TestContext, TestKey } from '../helpers/context.ts';

export const PUBLIC_PATHS = [
  '/api/v1/status',
  '/api/v1/ping',
  '/api/v1/time',
  '/api/v1/assets',
  '/api/v1/markets',
  '/api/v1/market',
  '/api/v1/ticker',
  '/api/v1/tickers',
  '/api/v1/depth',
  '/api/v1/trades',
  '/api/v1/trades/history',
  '/api/v1/klines',
  '/console/api/session',
];

const PARAM_NAMES = [
  'symbol',
  'limit',
  'offset',
  'from',
  'to',
  'interval',
  'startTime',
  'endTime',
  'orderId',
  'clientId',
  'side',
  'price',
  'quantity',
  'quoteQuantity',
  'orderType',
  'timeInForce',
  'subaccountId',
  'blockchain',
  'address',
  'marketType',
  'sortDirection',
];

/** Values at the edges: numbers near every bound, unicode, empty, huge, odd spellings. */
export const edgeValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '-0',
    '-1',
    '1.5',
    '1e400',
    '-1e400',
    'NaN',
    'Infinity',
    '9007199254740993',
    '18446744073709551616',
    '4294967296',
    '0x10',
    '1_000',
    ' 1',
    'SOL_USDC',
    'BTC_USDC',
    'Bid',
    'Ask',
    'Limit',
    'Market',
    'true',
    'null',
    '[]',
    '{}',
    '%',
    '%zz',
    '\u0000',
    '\ud800',
    'é',
    '🚀',
    'a'.repeat(5000),
  ),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

const paramName = fc.oneof(fc.constantFrom(...PARAM_NAMES), fc.string({ unit: 'grapheme', maxLength: 12 }));

/** Percent-encodes any string, lone surrogates included (as the raw bytes a hostile client could send). */
function encodeAny(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += code >= 0xd800 && code <= 0xdfff && char.length === 1 ? '%ED%A0%80' : encodeURIComponent(char);
  }
  return out;
}

/** A query string with arbitrary (possibly duplicated, possibly malformed) pairs. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(fc.tuple(paramName, edgeValue), { maxLength: 6 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeAny(k)}=${encodeAny(v)}`).join('&')),
  fc.string({ maxLength: 60 }).map((text) => text.replace(/[#\s]/g, '')),
);

/** JSON bodies: flat objects of edge values, arrays of them, nested and deep values, raw text. */
export const jsonBody: fc.Arbitrary<string> = fc.oneof(
  fc.dictionary(paramName, fc.oneof(edgeValue, fc.jsonValue({ maxDepth: 3 }))).map((o) => JSON.stringify(o)),
  fc.array(fc.dictionary(paramName, edgeValue), { maxLength: 4 }).map((a) => JSON.stringify(a)),
  fc
    .integer({ min: 1, max: 20_000 })
    .map((depth) => `{"symbol":"SOL_USDC","x":${'['.repeat(depth)}${']'.repeat(depth)}}`),
  fc
    .integer({ min: 1, max: 5000 })
    .map((n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`),
  fc.constantFrom(
    '{"a":1,"a":2}',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{}}}',
    '1e400',
    '"x"',
  ),
  fc.string({ maxLength: 200 }),
);

const headerValue = fc.oneof(edgeValue, fc.string({ unit: 'grapheme-ascii', maxLength: 100 }));

/** The properties, each asserted over `numRuns` runs. */
export function properties(ctx: TestContext, key: TestKey) {
  let signer: Signer | undefined;
  const getSigner = async () => (signer ??= await createSigner(key.secret));

  // 501 is the deliberate answer of an instruction this server does not implement (signed-api.ts), not a fault.
  const assertNo5xx = (status: number, what: string) => {
    if (status >= 500 && status !== 501) throw new Error(`${what} answered ${status}`);
  };

  return {
    signingStringBuilder: fc.property(
      fc.dictionary(paramName, fc.oneof(edgeValue, fc.jsonValue({ maxDepth: 4 }))),
      fc.constantFrom('plain', 'rfc3986') as fc.Arbitrary<'plain' | 'rfc3986'>,
      (object, encoding) => {
        const text = formatSigningString({
          instruction: 'orderExecute',
          segments: [paramsFromObject(object, encoding)],
          timestamp: '1',
          window: '5000',
        });
        return text.startsWith('instruction=orderExecute') && text.endsWith('&timestamp=1&window=5000');
      },
    ),

    headerParser: fc.property(
      fc.constantFrom(...INSTRUCTION_ROUTES),
      fc.dictionary(
        fc.constantFrom('x-api-key', 'X-Signature', 'x-timestamp', 'X-WINDOW', 'x-other'),
        fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })),
      ),
      queryString,
      (route, headers, query) => {
        const parsed = parseSignedRequest({
          method: route.method,
          path: route.path,
          query,
          body: undefined,
          headers,
        });
        if (parsed.ok) {
          // A bad signature costs at most 1 + 3 verifications (the verifier's failure path).
          return parsed.request.alternativeSigningStrings().length <= 3;
        }
        return ['UNAUTHORIZED', 'INVALID_CLIENT_REQUEST', 'RESOURCE_NOT_FOUND'].includes(parsed.code);
      },
    ),

    bodyParser: fc.asyncProperty(
      fc.constantFrom(...INSTRUCTION_ROUTES.filter((r) => r.method !== 'GET')),
      jsonBody,
      fc.constantFrom('application/json', 'text/plain', '', 'application/x-www-form-urlencoded'),
      async (route, payload, contentType) => {
        const { headers } = await createSignedRequest(
          { method: route.method, path: route.path, body: { symbol: 'SOL_USDC' }, timestamp: ctx.clock.now },
          { apiKey: key.apiKey, sign: (await getSigner()).sign },
        );
        const res = await ctx.app.inject({
          method: route.method,
          url: route.path,
          headers: { ...headers, 'content-type': contentType },
          payload,
        });
        assertNo5xx(res.statusCode, `${route.method} ${route.path} with ${payload.slice(0, 60)}`);
      },
    ),

    publicRoutes: fc.asyncProperty(
      fc.constantFrom(...PUBLIC_PATHS),
      queryString,
      fc.dictionary(
        fc.constantFrom('accept', 'x-forwarded-for', 'content-type', 'x-api-key', 'origin'),
        headerValue,
      ),
      async (path, query, headers) => {
        const res = await ctx.app.inject({ method: 'GET', url: query ? `${path}?${query}` : path, headers });
        assertNo5xx(res.statusCode, `GET ${path}?${query}`);
      },
    ),

    signedRoutes: fc.asyncProperty(
      fc.constantFrom(...INSTRUCTION_ROUTES),
      fc.dictionary(fc.constantFrom(...PARAM_NAMES), edgeValue, { maxKeys: 5 }),
      async (route, params) => {
        const spec =
          route.method === 'GET'
            ? { method: route.method, path: route.path, query: params }
            : route.batch
              ? { method: route.method, path: route.path, body: [params] }
              : { method: route.method, path: route.path, body: params };
        const prepared = await createSignedRequest(
          { ...spec, timestamp: ctx.clock.now + Math.floor(Math.random() * 1000) },
          { apiKey: key.apiKey, sign: (await getSigner()).sign },
        );
        const res = await ctx.app.inject({
          method: prepared.method as 'GET',
          url: prepared.pathWithQuery,
          headers: prepared.headers,
          payload: prepared.body,
        });
        assertNo5xx(
          res.statusCode,
          `${route.method} ${prepared.pathWithQuery} ${prepared.body ?? ''}: ${res.body}`,
        );
      },
    ),

    mutatedRequestsNeverVerify: fc.asyncProperty(
      fc.constantFrom(...INSTRUCTION_ROUTES.filter((r) => !r.batch)),
      fc.dictionary(fc.constantFrom(...PARAM_NAMES), fc.string({ minLength: 1, maxLength: 12 }), {
        minKeys: 1,
        maxKeys: 4,
      }),
      fc.nat(),
      fc.constantFrom('value', 'add', 'drop', 'timestamp', 'window', 'route'),
      fc.string({ minLength: 1, maxLength: 8 }),
      async (route, params, pick, mutation, extra) => {
        const spec =
          route.method === 'GET'
            ? { method: route.method, path: route.path, query: params }
            : { method: route.method, path: route.path, body: params };
        const timestamp = ctx.clock.now;
        const prepared = await createSignedRequest(
          { ...spec, timestamp },
          { apiKey: key.apiKey, sign: (await getSigner()).sign },
        );
        const names = Object.keys(params);
        const victim = names[pick % names.length] as string;
        const mutated: Record<string, string> = { ...params };
        const headers: Record<string, string> = { ...prepared.headers };
        let target = route;
        if (mutation === 'value') mutated[victim] = `${mutated[victim]}${extra}`;
        if (mutation === 'add') mutated[`zz${extra}`] = extra;
        if (mutation === 'drop') delete mutated[victim];
        if (mutation === 'timestamp') headers['X-Timestamp'] = String(timestamp + 1 + (pick % 1000));
        if (mutation === 'window') headers['X-Window'] = String(4999 - (pick % 4000));
        if (mutation === 'route') {
          const others = INSTRUCTION_ROUTES.filter((r) => r.instruction !== route.instruction && !r.batch);
          target = others[pick % others.length] as typeof route;
        }
        const query = target.method === 'GET' ? new URLSearchParams(mutated).toString() : '';
        const outcome = await ctx.verifier.verify(
          {
            method: target.method,
            path: target.path,
            query,
            body: target.method === 'GET' ? undefined : mutated,
            rawBody: target.method === 'GET' ? undefined : JSON.stringify(mutated),
            headers,
          },
          { ip: '127.0.0.1' },
        );
        if (outcome.ok) throw new Error(`a ${mutation} mutation of ${route.instruction} verified`);
      },
    ),
  };
}
