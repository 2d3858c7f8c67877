import { describe, expect, it } from 'vitest';

import { VECTORS, type Vector } from '../../test/helpers/vectors.ts';
import { signEd25519, verifyEd25519 } from './ed25519-node.ts';
import { parseSecret } from './key-encoding.ts';
import {
  checkTimeWindow,
  MAX_TIMESTAMP_LEAD_MS,
  parseSignedRequest,
  type SignedRequestInput,
} from './signed-request.ts';

function inputOf(vector: Vector, change: Partial<SignedRequestInput> = {}): SignedRequestInput {
  return {
    method: vector.method,
    path: vector.path,
    query: vector.query,
    body: vector.body === null ? undefined : JSON.parse(vector.body),
    headers: vector.headers,
    ...change,
  };
}

/** Full verification as the server does it: parse, window (now = the vector's timestamp), signature. */
function verifies(input: SignedRequestInput): boolean {
  const parsed = parseSignedRequest(input);
  if (!parsed.ok) return false;
  const { request } = parsed;
  if (!checkTimeWindow(request.timestamp, request.window, Number(input.headers['X-Timestamp'])).ok)
    return false;
  return [request.signingString, ...request.alternativeSigningStrings()].some((s) =>
    verifyEd25519(s, request.signature, request.apiKey),
  );
}

describe('parseSignedRequest() over the golden vectors', () => {
  for (const vector of VECTORS.requests) {
    describe(vector.name, () => {
      it('rebuilds the exact signing string and instruction', () => {
        const parsed = parseSignedRequest(inputOf(vector));
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.request.route.instruction).toBe(vector.instruction);
        expect(parsed.request.signingString).toBe(vector.signingString);
      });

      it('verifies under the vector key', () => {
        expect(verifies(inputOf(vector))).toBe(true);
      });

      it('produces the same signature when signing with the vector secret', () => {
        const seed = parseSecret(VECTORS.keys[vector.key].secret);
        expect(seed.ok).toBe(true);
        if (seed.ok) expect(signEd25519(vector.signingString, seed.bytes)).toBe(vector.signature);
      });

      it('fails when the method is altered', () => {
        const other = vector.method === 'GET' ? 'DELETE' : 'GET';
        expect(verifies(inputOf(vector, { method: other }))).toBe(false);
      });

      it('fails when the path is altered', () => {
        expect(
          verifies(
            inputOf(vector, {
              path: vector.path === '/api/v1/capital' ? '/api/v1/account' : '/api/v1/capital',
            }),
          ),
        ).toBe(false);
      });

      it('fails when a parameter is altered, added or removed', () => {
        if (vector.query !== '') {
          expect(verifies(inputOf(vector, { query: vector.query.replace(/=([^&]*)/, '=$1X') }))).toBe(false);
          expect(verifies(inputOf(vector, { query: `${vector.query}&extra=1` }))).toBe(false);
        } else if (vector.body !== null) {
          const body = JSON.parse(vector.body) as Record<string, unknown> | Record<string, unknown>[];
          const first = (Array.isArray(body) ? body[0] : body) as Record<string, unknown>;
          const key = Object.keys(first)[0] as string;
          first[key] = `${String(first[key])}9`;
          expect(verifies(inputOf(vector, { body }))).toBe(false);
          expect(verifies(inputOf(vector, { body: undefined }))).toBe(false);
        } else {
          expect(verifies(inputOf(vector, { query: 'symbol=SOL_USDC' }))).toBe(false);
        }
      });

      for (const header of ['X-API-Key', 'X-Signature', 'X-Timestamp', 'X-Window']) {
        it(`fails when ${header} is altered`, () => {
          const headers = { ...vector.headers };
          if (header === 'X-API-Key') headers[header] = VECTORS.keys[vector.key === 'A' ? 'B' : 'A'].apiKey;
          if (header === 'X-Signature')
            headers[header] = `${headers[header]!.slice(0, 10)}A${headers[header]!.slice(11)}`;
          if (header === 'X-Timestamp') headers[header] = String(Number(headers[header]) + 1);
          if (header === 'X-Window')
            headers[header] = (headers[header] ?? '5000') === '5000' ? '5001' : '5000';
          if (headers[header] === vector.headers[header])
            headers[header] = headers[header]!.replace(/^./, 'B');
          // Keep "now" at the original timestamp so only the signature can fail.
          const parsed = parseSignedRequest(inputOf(vector, { headers }));
          const ok =
            parsed.ok &&
            [parsed.request.signingString, ...parsed.request.alternativeSigningStrings()].some((s) =>
              verifyEd25519(s, parsed.request.signature, parsed.request.apiKey),
            );
          expect(ok).toBe(false);
        });
      }
    });
  }
});

const A = VECTORS.keys.A;
const seedA = (() => {
  const s = parseSecret(A.secret);
  if (!s.ok) throw new Error('bad vector secret');
  return s.bytes;
})();

function headersFor(signingString: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'x-api-key': A.apiKey,
    'x-signature': signEd25519(signingString, seedA),
    'x-timestamp': '1700000000000',
    'x-window': '5000',
    ...extra,
  };
}

describe('parseSignedRequest() edge cases', () => {
  const base = { method: 'GET', path: '/api/v1/capital', query: '', body: undefined };

  it('signs a request with no parameters as instruction, timestamp and window only', () => {
    const parsed = parseSignedRequest({ ...base, headers: headersFor('x') });
    expect(parsed.ok && parsed.request.signingString).toBe(
      'instruction=balanceQuery&timestamp=1700000000000&window=5000',
    );
  });

  it('signs booleans as true/false and numbers as JavaScript prints them', () => {
    const parsed = parseSignedRequest({
      method: 'POST',
      path: '/api/v1/order',
      query: '',
      body: {
        symbol: 'SOL_USDC',
        postOnly: false,
        reduceOnly: true,
        clientId: 7,
        price: 1.5,
        quantity: '2',
        skip: null,
      },
      headers: headersFor('x'),
    });
    expect(parsed.ok && parsed.request.signingString).toBe(
      'instruction=orderExecute&clientId=7&postOnly=false&price=1.5&quantity=2&reduceOnly=true&symbol=SOL_USDC&timestamp=1700000000000&window=5000',
    );
  });

  it('signs unicode values as UTF-8 text, decoded from the query', () => {
    const parsed = parseSignedRequest({
      ...base,
      path: '/api/v1/orders',
      query: 'symbol=%E2%82%BF_USDC',
      headers: headersFor('x'),
    });
    expect(parsed.ok && parsed.request.signingString).toBe(
      'instruction=orderQueryAll&symbol=₿_USDC&timestamp=1700000000000&window=5000',
    );
  });

  it("accepts ccxt's percent-encoded form of special characters in a body", () => {
    const ccxtString =
      'instruction=orderExecute&clientId=a%20b%2Fc&symbol=SOL_USDC&timestamp=1700000000000&window=5000';
    const input = {
      method: 'POST',
      path: '/api/v1/order',
      query: '',
      body: { symbol: 'SOL_USDC', clientId: 'a b/c' },
      headers: headersFor(ccxtString),
    };
    expect(verifies({ ...input, headers: { ...input.headers, 'X-Timestamp': '1700000000000' } })).toBe(true);
  });

  it("accepts ccxt's form for a GET query: the percent-encoded string it sends is the one it signs", () => {
    const ccxtString =
      'instruction=orderQuery&clientId=a%20b&symbol=SOL_USDC&timestamp=1700000000000&window=5000';
    const headers = { ...headersFor(ccxtString), 'X-Timestamp': '1700000000000' };
    expect(
      verifies({
        method: 'GET',
        path: '/api/v1/order',
        query: 'clientId=a%20b&symbol=SOL_USDC',
        body: undefined,
        headers,
      }),
    ).toBe(true);
    // ...and the decoded form other clients sign verifies too.
    const decoded = 'instruction=orderQuery&clientId=a b&symbol=SOL_USDC&timestamp=1700000000000&window=5000';
    const decodedHeaders = { ...headersFor(decoded), 'X-Timestamp': '1700000000000' };
    expect(
      verifies({
        method: 'GET',
        path: '/api/v1/order',
        query: 'clientId=a%20b&symbol=SOL_USDC',
        body: undefined,
        headers: decodedHeaders,
      }),
    ).toBe(true);
  });

  it('accepts numbers signed exactly as sent (100.10, 1e2) when the raw body is known', () => {
    const asSent =
      'instruction=orderExecute&price=100.10&quantity=1e2&symbol=SOL_USDC&timestamp=1700000000000&window=5000';
    const rawBody = '{"symbol":"SOL_USDC","price":100.10,"quantity":1e2}';
    const headers = { ...headersFor(asSent), 'X-Timestamp': '1700000000000' };
    const input = { method: 'POST', path: '/api/v1/order', query: '', body: JSON.parse(rawBody), headers };
    expect(verifies({ ...input, rawBody })).toBe(true);
    expect(verifies(input)).toBe(false);
  });

  it('treats header names case-insensitively', () => {
    const s = 'instruction=balanceQuery&timestamp=1700000000000&window=5000';
    const headers = {
      'X-API-KEY': A.apiKey,
      'x-SIGNATURE': signEd25519(s, seedA),
      'X-Timestamp': '1700000000000',
    };
    expect(verifies({ ...base, headers })).toBe(true);
  });

  it('signs 5000 when X-Window is absent', () => {
    const headers = headersFor('x');
    delete (headers as Record<string, string | undefined>)['x-window'];
    const parsed = parseSignedRequest({ ...base, headers });
    expect(parsed.ok && parsed.request.window).toBe(5000);
    expect(parsed.ok && parsed.request.signingString.endsWith('&window=5000')).toBe(true);
  });

  it.each(['x-api-key', 'x-signature', 'x-timestamp'])('answers UNAUTHORIZED when %s is missing', (name) => {
    const headers: Record<string, string> = headersFor('x');
    delete headers[name];
    expect(parseSignedRequest({ ...base, headers })).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
  });

  it.each([
    ['window 0', { 'x-window': '0' }],
    ['window 60001', { 'x-window': '60001' }],
    ['non-numeric window', { 'x-window': 'abc' }],
    ['negative window', { 'x-window': '-5' }],
    ['non-numeric timestamp', { 'x-timestamp': '17e11' }],
    ['duplicate timestamp headers', { 'x-timestamp': '1700000000000, 1700000000000' }],
    ['signature of the wrong length', { 'x-signature': 'AAAA' }],
    ['signature that is not base64', { 'x-signature': `${'!'.repeat(86)}==` }],
    ['API key that is not base64', { 'x-api-key': `${'*'.repeat(43)}=` }],
    ['API key of the wrong length', { 'x-api-key': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
  ])('rejects %s as INVALID_CLIENT_REQUEST', (_name, extra) => {
    expect(parseSignedRequest({ ...base, headers: headersFor('x', extra) })).toMatchObject({
      ok: false,
      code: 'INVALID_CLIENT_REQUEST',
    });
  });

  it('accepts window 60000 and window 1', () => {
    expect(parseSignedRequest({ ...base, headers: headersFor('x', { 'x-window': '60000' }) }).ok).toBe(true);
    expect(parseSignedRequest({ ...base, headers: headersFor('x', { 'x-window': '1' }) }).ok).toBe(true);
  });

  it('rejects a batch body that is not a non-empty array of objects', () => {
    for (const body of [[], {}, [1], ['a'], [null]]) {
      expect(
        parseSignedRequest({
          method: 'POST',
          path: '/api/v1/orders',
          query: '',
          body,
          headers: headersFor('x'),
        }),
      ).toMatchObject({
        ok: false,
        code: 'INVALID_CLIENT_REQUEST',
      });
    }
  });

  it('rejects a JSON body that is not an object', () => {
    for (const body of ['text', 42, [{ a: 1 }], true]) {
      expect(
        parseSignedRequest({
          method: 'POST',
          path: '/api/v1/order',
          query: '',
          body,
          headers: headersFor('x'),
        }),
      ).toMatchObject({
        ok: false,
        code: 'INVALID_CLIENT_REQUEST',
      });
    }
  });

  it('answers RESOURCE_NOT_FOUND for a path that is not a signed route', () => {
    expect(parseSignedRequest({ ...base, path: '/api/v1/nope', headers: headersFor('x') })).toMatchObject({
      ok: false,
      code: 'RESOURCE_NOT_FOUND',
    });
  });
});

describe('checkTimeWindow()', () => {
  it('accepts |now - timestamp| <= window, at both edges', () => {
    expect(checkTimeWindow(1000, 5000, 6000).ok).toBe(true);
    expect(checkTimeWindow(6000, 5000, 1000).ok).toBe(true);
  });

  it('rejects a timestamp too old', () => {
    expect(checkTimeWindow(1000, 5000, 6001)).toEqual({ ok: false, message: 'Request has expired' });
  });

  it('rejects a timestamp too far ahead', () => {
    expect(checkTimeWindow(6002, 5000, 1001)).toMatchObject({ ok: false });
  });

  it('bounds the lead to 5 s whatever the window (a request far in the future stays valid too long)', () => {
    expect(checkTimeWindow(1000 + MAX_TIMESTAMP_LEAD_MS, 60_000, 1000).ok).toBe(true);
    expect(checkTimeWindow(1001 + MAX_TIMESTAMP_LEAD_MS, 60_000, 1000)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/in the future/),
    });
    expect(checkTimeWindow(60_000, 60_000, 1000).ok).toBe(false);
  });
});

describe('parseSignedRequest() for a route the caller resolved (gateway routes)', () => {
  const headers = {
    'X-API-Key': '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
    'X-Signature': `${'A'.repeat(85)}A==`,
    'X-Timestamp': '1614550000000',
  };
  const route = {
    method: 'DELETE',
    path: '/v1/things/:id',
    instruction: 'thingCancel',
    kind: 'trade',
  } as const;
  const input = (change: Partial<SignedRequestInput>): SignedRequestInput => ({
    method: 'DELETE',
    path: '/v1/things/:id',
    query: '',
    body: undefined,
    headers,
    route,
    pathParams: { id: '42' },
    ...change,
  });
  const signing = (change: Partial<SignedRequestInput>): string => {
    const parsed = parseSignedRequest(input(change));
    return parsed.ok ? parsed.request.signingString : `${parsed.code}: ${parsed.message}`;
  };

  it('uses the given route, which the instruction table does not know, and signs its path parameters', () => {
    expect(signing({})).toBe('instruction=thingCancel&id=42&timestamp=1614550000000&window=5000');
    expect(signing({ body: { reason: 'dup' } })).toBe(
      'instruction=thingCancel&id=42&reason=dup&timestamp=1614550000000&window=5000',
    );
  });

  it('signs a parameter sent in the path and again with the same value once (what ccxt signs)', () => {
    expect(signing({ body: { id: '42' } })).toBe(
      'instruction=thingCancel&id=42&timestamp=1614550000000&window=5000',
    );
  });

  it('refuses a parameter whose path and request values differ', () => {
    expect(signing({ body: { id: '43' } })).toBe(
      'INVALID_CLIENT_REQUEST: Parameter id differs between the path and the request',
    );
    expect(signing({ query: 'id=42&id=43' })).toContain('differs');
  });
});
