/**
 * The gateway as an operator runs it: a real upstream process (test/fixtures/gateway-upstream.mjs, which counts
 * what reaches it and checks the HMAC from the documentation alone) behind a real `signet serve` process with a
 * route file, and keys made in the same SQLite database. Accepted requests arrive byte for byte with identity
 * headers; every refusal is answered in Backpack's format and never reaches the upstream.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, type User } from '../src/accounts/index.ts';
import { createSignedRequest, type SignedRequestSpec } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createApiKey, getKeyUsage, revokeApiKey } from '../src/keys/index.ts';
import { openStore, type Store } from '../src/store/create-database.ts';
import { startUpstream, type ReceivedRequest, type UpstreamProcess } from './helpers/gateway-upstream.ts';
import { freePort, startSignetProcess, type SignetProcess } from './helpers/signet-process.ts';

const SECRET = 'an upstream secret of at least thirty-two characters';
const METRICS_TOKEN = 'gateway-metrics-token';
const dir = mkdtempSync(join(tmpdir(), 'signet-gateway-'));
const database = join(dir, 'gateway.db');

let upstream: UpstreamProcess;
let signet: SignetProcess;
let db: Store;
let user: User;

interface Key {
  id: string;
  apiKey: string;
  secret: string;
}

async function makeKey(
  input: Omit<Parameters<typeof createApiKey>[1], 'userId' | 'name'> = {},
): Promise<Key> {
  const created = await createApiKey(db, {
    userId: user.id,
    name: `key ${Math.random()}`,
    declaredPermissions: ['transfers'],
    ...input,
  });
  return { id: created.key.id, apiKey: created.key.apiKey, secret: created.secret as string };
}

const ROUTES = [
  { method: 'GET', path: '/v1/things', instruction: 'thingsQuery', permission: 'read' },
  { method: 'GET', path: '/v1/things/:id', instruction: 'thingQuery', permission: 'read' },
  { method: 'DELETE', path: '/v1/things/:id', instruction: 'thingCancel', permission: 'trade' },
  { method: 'POST', path: '/v1/transfers', instruction: 'transferExecute', permission: 'transfers' },
  { method: 'GET', path: '/slow/thing', instruction: 'slowQuery', permission: 'read' },
  { method: 'GET', path: '/stream/thing', instruction: 'streamQuery', permission: 'read' },
  { method: 'GET', path: '/big/thing', instruction: 'bigQuery', permission: 'read' },
  { method: 'GET', path: '/untyped/thing', instruction: 'untypedQuery', permission: 'read' },
];

/** A gateway route's request as a client signs it: the route file's instruction for its method and path. */
async function sign(key: Key, spec: SignedRequestSpec): ReturnType<typeof createSignedRequest> {
  const instruction =
    spec.instruction ??
    [...ROUTES, { method: 'GET', path: '/v2/down', instruction: 'downQuery' }].find(
      (r) => r.method === spec.method && r.path === spec.path,
    )?.instruction;
  return createSignedRequest({ ...spec, instruction }, await createSigner(key.secret));
}

/** Signs `spec` and sends it, optionally to another raw target or with other headers or body bytes. */
async function send(
  key: Key,
  spec: SignedRequestSpec,
  over: { target?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const prepared = await sign(key, spec);
  return fetch(signet.url + (over.target ?? prepared.pathWithQuery), {
    method: spec.method,
    headers: { ...prepared.headers, ...over.headers },
    body: over.body ?? prepared.body,
  });
}

/** A request exactly as given (path bytes, a GET body), which fetch() would not send. */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const sent =
      body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = httpRequest({ host: '127.0.0.1', port: signet.port, method, path, headers: sent }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `act` and returns what reached the upstream meanwhile. */
async function arrivals(act: () => Promise<void>): Promise<ReceivedRequest[]> {
  const before = (await upstream.received()).length;
  await act();
  return (await upstream.received()).slice(before);
}

/** How many of the upstream's answers were cut off because Signet went away before the end. */
async function abandonedAtUpstream(): Promise<number> {
  return ((await (await fetch(`${upstream.url}/__upstream/abandoned`)).json()) as { abandoned: number })
    .abandoned;
}

beforeAll(async () => {
  upstream = await startUpstream({ UPSTREAM_SECRET: SECRET, SLOW_MS: '3000' });
  const deadPort = await freePort();
  const routes = join(dir, 'routes.json');
  writeFileSync(
    routes,
    JSON.stringify({
      permissions: ['transfers'],
      routes: [
        ...ROUTES,
        {
          method: 'GET',
          path: '/v2/down',
          instruction: 'downQuery',
          permission: 'read',
          upstream: `http://127.0.0.1:${deadPort}`,
        },
      ],
    }),
  );
  db = await openStore(database);
  user = await createUser(db, { email: 'gateway@example.com', password: 'long enough password' });
  signet = await startSignetProcess({
    databaseUrl: database,
    readyPath: '/healthz',
    env: {
      SIGNET_ROUTES: routes,
      SIGNET_UPSTREAM: upstream.url,
      SIGNET_UPSTREAM_SECRET: SECRET,
      SIGNET_UPSTREAM_TIMEOUT: '1000',
      SIGNET_METRICS_TOKEN: METRICS_TOKEN,
    },
  });
}, 90_000);

afterAll(async () => {
  await signet?.stop();
  await upstream?.stop();
  await db?.destroy();
});

describe('accepted requests are forwarded byte for byte', () => {
  it('forwards a signed GET with its raw query and the identity headers, and streams the answer back', async () => {
    const key = await makeKey({ permissions: 'read' });
    // Signed over the decoded, sorted parameters; sent in the client's own order and spelling.
    const [seen] = await arrivals(async () => {
      const response = await send(
        key,
        { method: 'GET', path: '/v1/things', query: { b: '2', a: '1 x' } },
        { target: '/v1/things?b=2&a=1%20x' },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('x-upstream')).toBe('yes');
      expect(response.headers.get('set-cookie')).toBe('upstream=1; Path=/');
      // Hop-by-hop headers stay on the upstream's connection.
      expect(response.headers.get('x-hop')).toBeNull();
      const body = (await response.json()) as { echo: ReceivedRequest };
      expect(body.echo.url).toBe('/v1/things?b=2&a=1%20x');
    });
    expect(seen).toMatchObject({ method: 'GET', url: '/v1/things?b=2&a=1%20x', body: '', hmac: 'ok' });
    expect(seen?.headers).toMatchObject({
      'x-signet-user': user.id,
      'x-signet-api-key': key.apiKey,
      'x-signet-permissions': 'read',
      'x-signet-instruction': 'thingsQuery',
    });
    expect(seen?.headers['x-signet-subaccount']).toMatch(/^sub_/);
    expect(seen?.headers['x-signet-request-id']).toEqual(expect.any(String));
    // Signet consumed the client's auth headers; the upstream gets its verdict instead.
    for (const name of ['x-api-key', 'x-signature', 'x-timestamp', 'x-window']) {
      expect(seen?.headers[name]).toBeUndefined();
    }
  });

  it('forwards a signed POST body as the exact bytes sent, with its Content-Type', async () => {
    const key = await makeKey({ permissions: 'read,transfers' });
    const raw = '{ "amount" : "1.50",\n  "to":"m\\u00fcller", "memo": "ü" }';
    const [seen] = await arrivals(async () => {
      const response = await send(
        key,
        { method: 'POST', path: '/v1/transfers', body: { amount: '1.50', to: 'müller', memo: 'ü' } },
        { body: raw, headers: { 'Content-Type': 'application/json; charset=utf-8' } },
      );
      expect(response.status).toBe(201);
    });
    expect(Buffer.from(seen?.body ?? '', 'base64').toString('utf8')).toBe(raw);
    expect(seen?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(seen?.headers['content-length']).toBe(String(Buffer.byteLength(raw)));
    expect(seen?.headers['x-signet-permissions']).toBe('read,transfers');
    expect(seen?.headers['x-signet-instruction']).toBe('transferExecute');
    expect(seen?.hmac).toBe('ok');
  });

  it('forwards a body sent without Content-Type without inventing one', async () => {
    const key = await makeKey({ permissions: 'read,transfers' });
    const prepared = await sign(key, { method: 'POST', path: '/v1/transfers', body: { amount: '3' } });
    const { 'Content-Type': _type, ...headers } = prepared.headers;
    const [seen] = await arrivals(async () => {
      expect((await rawRequest('POST', '/v1/transfers', headers, prepared.body)).status).toBe(201);
    });
    expect(seen?.headers['content-type']).toBeUndefined();
    expect(Buffer.from(seen?.body ?? '', 'base64').toString()).toBe('{"amount":"3"}');
  });

  it('signs path parameters: a DELETE for thing 42 is forwarded, its signature is refused for thing 43', async () => {
    const key = await makeKey({ permissions: 'read,trade' });
    const spec: SignedRequestSpec = { method: 'DELETE', path: '/v1/things/:id', pathParams: { id: 42 } };
    const forwarded = await arrivals(async () => {
      expect((await send(key, spec)).status).toBe(200);
    });
    expect(forwarded.map((r) => r.url)).toEqual(['/v1/things/42']);
    const moved = await arrivals(async () => {
      const response = await send(key, spec, { target: '/v1/things/43' });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        code: 'INVALID_SIGNATURE',
        message: expect.stringContaining('instruction=thingCancel&id=43&timestamp='),
      });
    });
    expect(moved).toEqual([]);
  });

  it('streams a chunked answer back as the upstream sent it', async () => {
    const key = await makeKey({ permissions: 'read' });
    const response = await send(key, { method: 'GET', path: '/stream/thing' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(await response.text()).toBe('chunk 1\nchunk 2\nchunk 3\n');
  });

  it('passes a large answer through whole, and an untyped one without a type added', async () => {
    const key = await makeKey({ permissions: 'read' });
    const big = await send(key, { method: 'GET', path: '/big/thing' });
    expect(big.status).toBe(200);
    const text = await big.text();
    expect(text.length).toBe(65_536 * 16);
    expect(text.slice(-16)).toBe('000000000065535\n');
    const untyped = await send(key, { method: 'GET', path: '/untyped/thing' });
    expect(untyped.headers.get('content-type')).toBeNull();
    expect(await untyped.text()).toBe('no type');
  });

  it('ends the upstream request when the client goes away before the answer', async () => {
    const key = await makeKey({ permissions: 'read' });
    const before = await abandonedAtUpstream();
    const prepared = await sign(key, { method: 'GET', path: '/slow/thing' });
    const gone = new AbortController();
    const started = Date.now();
    const request = fetch(signet.url + prepared.pathWithQuery, {
      headers: prepared.headers,
      signal: gone.signal,
    });
    setTimeout(() => gone.abort(), 300);
    await expect(request).rejects.toThrow();
    // Well before the upstream's 3 s answer and Signet's 1 s timeout: the client's leaving reached it.
    let after = before;
    for (let i = 0; i < 100 && after === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      after = await abandonedAtUpstream();
    }
    expect(after).toBe(before + 1);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('removes spoofed X-Signet-* headers before setting its own', async () => {
    const key = await makeKey({ permissions: 'read' });
    const [seen] = await arrivals(async () => {
      const response = await send(
        key,
        { method: 'GET', path: '/v1/things' },
        {
          headers: {
            'X-Signet-User': 'usr_attacker',
            'X-Signet-Permissions': 'read,trade,withdraw,admin',
            'X-Signet-Signature': 'v1=forged',
            'X-Signet-Anything': 'smuggled',
          },
        },
      );
      expect(response.status).toBe(200);
    });
    expect(seen?.headers['x-signet-user']).toBe(user.id);
    expect(seen?.headers['x-signet-permissions']).toBe('read');
    expect(seen?.headers['x-signet-anything']).toBeUndefined();
    expect(seen?.hmac).toBe('ok');
  });
});

describe("ccxt's backpack class, pointed at the gateway", () => {
  it('signs gateway routes with instructions given in its options, path parameters included', async () => {
    const key = await makeKey({ permissions: 'read,trade,transfers' });
    const exchange = new ccxt.backpack({
      apiKey: key.apiKey,
      secret: key.secret,
      urls: { api: { public: signet.url, private: signet.url } },
      options: {
        instructions: {
          'v1/transfers': { POST: 'transferExecute' },
          'v1/things/42': { DELETE: 'thingCancel' },
        },
      },
    });
    const reached = await arrivals(async () => {
      const created = (await exchange.request('v1/transfers', 'private', 'POST', {
        amount: '1.50',
        to: 'alice',
      })) as {
        echo: ReceivedRequest;
      };
      expect(created.echo.headers['x-signet-instruction']).toBe('transferExecute');
      // ccxt signs only what it sends: the path parameter goes in the body too, with the same value.
      await exchange.request('v1/things/42', 'private', 'DELETE', { id: '42' });
    });
    expect(reached.map((r) => `${r.method} ${r.url} ${r.hmac}`)).toEqual([
      'POST /v1/transfers ok',
      'DELETE /v1/things/42 ok',
    ]);
  });
});

describe('the upstream can tell Signet from a forgery (SIGNET_UPSTREAM_SECRET)', () => {
  it('refuses a request that copies captured identity headers with another body or path', async () => {
    const key = await makeKey({ permissions: 'read,transfers' });
    const [captured] = await arrivals(async () => {
      await send(key, { method: 'POST', path: '/v1/transfers', body: { amount: '1' } });
    });
    expect(captured?.hmac).toBe('ok');
    const headers = Object.fromEntries(
      Object.entries(captured?.headers ?? {}).filter(([name]) => name.startsWith('x-signet-')),
    ) as Record<string, string>;
    const forged = await arrivals(async () => {
      await fetch(`${upstream.url}/v1/transfers`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{"amount":"1000"}',
      });
      await fetch(`${upstream.url}/v1/transfers?to=attacker`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{"amount":"1"}',
      });
      await fetch(`${upstream.url}/v1/transfers`, { method: 'POST', body: '{"amount":"1"}' });
    });
    expect(forged.map((r) => r.hmac)).toEqual(['mismatch', 'mismatch', 'missing']);
  });
});

describe('refusals never reach the upstream', () => {
  const refusedWith = async (response: Response, status: number, code: string): Promise<string> => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as { code: string; message: string };
    expect(Object.keys(body).sort()).toEqual(['code', 'message']);
    expect(body.code).toBe(code);
    return body.message;
  };

  it('refuses an unsigned request', async () => {
    const reached = await arrivals(async () => {
      const message = await refusedWith(await fetch(`${signet.url}/v1/things`), 401, 'UNAUTHORIZED');
      expect(message).toBe('Missing X-API-Key header');
    });
    expect(reached).toEqual([]);
  });

  it('refuses a tampered request and shows the string the server signed', async () => {
    const key = await makeKey({ permissions: 'read' });
    const reached = await arrivals(async () => {
      const message = await refusedWith(
        await send(
          key,
          { method: 'GET', path: '/v1/things', query: { limit: '1' } },
          { target: '/v1/things?limit=1000' },
        ),
        401,
        'INVALID_SIGNATURE',
      );
      expect(message).toMatch(
        /^Invalid signature\. The server signed: instruction=thingsQuery&limit=1000&timestamp=\d+&window=5000$/,
      );
    });
    expect(reached).toEqual([]);
  });

  it('refuses a tampered body', async () => {
    const key = await makeKey({ permissions: 'read,transfers' });
    const reached = await arrivals(async () => {
      await refusedWith(
        await send(
          key,
          { method: 'POST', path: '/v1/transfers', body: { amount: '1' } },
          { body: '{"amount":"1000"}' },
        ),
        401,
        'INVALID_SIGNATURE',
      );
    });
    expect(reached).toEqual([]);
  });

  it('refuses a key without the route’s custom permission, naming it', async () => {
    const key = await makeKey({ permissions: 'read,trade,withdraw' });
    const reached = await arrivals(async () => {
      const message = await refusedWith(
        await send(key, { method: 'POST', path: '/v1/transfers', body: { amount: '1' } }),
        403,
        'FORBIDDEN',
      );
      expect(message).toBe('This API key lacks the transfers permission needed for transferExecute');
    });
    expect(reached).toEqual([]);
  });

  it('refuses a key without the route’s built-in permission', async () => {
    const key = await makeKey({ permissions: 'read,transfers' });
    const reached = await arrivals(async () => {
      await refusedWith(
        await send(key, { method: 'DELETE', path: '/v1/things/:id', pathParams: { id: 1 } }),
        403,
        'FORBIDDEN',
      );
    });
    expect(reached).toEqual([]);
  });

  it('refuses an expired key', async () => {
    const key = await makeKey({ permissions: 'read' });
    await db
      .updateTable('api_keys')
      .set({ expires_at: Date.now() - 1 })
      .where('id', '=', key.id)
      .execute();
    const reached = await arrivals(async () => {
      expect(
        await refusedWith(await send(key, { method: 'GET', path: '/v1/things' }), 401, 'UNAUTHORIZED'),
      ).toBe('Invalid API key');
    });
    expect(reached).toEqual([]);
  });

  it('refuses a key revoked after it was used (the key cache is invalidated)', async () => {
    const key = await makeKey({ permissions: 'read' });
    expect((await send(key, { method: 'GET', path: '/v1/things' })).status).toBe(200);
    await revokeApiKey(db, { key: key.apiKey });
    const reached = await arrivals(async () => {
      await refusedWith(await send(key, { method: 'GET', path: '/v1/things' }), 401, 'UNAUTHORIZED');
    });
    expect(reached).toEqual([]);
  });

  it('refuses an address not on the key’s allowlist', async () => {
    const key = await makeKey({ permissions: 'read', allowedIps: ['10.1.2.3'] });
    const reached = await arrivals(async () => {
      const message = await refusedWith(
        await send(key, { method: 'GET', path: '/v1/things' }),
        401,
        'UNAUTHORIZED',
      );
      expect(message).toContain('not allowed from address 127.0.0.1');
    });
    expect(reached).toEqual([]);
  });

  it('forwards a mutating request once and refuses its replay', async () => {
    const key = await makeKey({ permissions: 'read,transfers' });
    const prepared = await createSignedRequest(
      { method: 'POST', path: '/v1/transfers', instruction: 'transferExecute', body: { amount: '5' } },
      await createSigner(key.secret),
    );
    const replay = (): Promise<Response> =>
      fetch(signet.url + prepared.pathWithQuery, {
        method: 'POST',
        headers: prepared.headers,
        body: prepared.body,
      });
    const reached = await arrivals(async () => {
      expect((await replay()).status).toBe(201);
      const message = await refusedWith(await replay(), 401, 'UNAUTHORIZED');
      expect(message).toContain('Request already used');
    });
    expect(reached).toHaveLength(1);
  });

  it('refuses a GET with a body, a body that repeats a key and a path URL parsing would rewrite', async () => {
    const key = await makeKey({ permissions: 'read,transfers' });
    const reached = await arrivals(async () => {
      const get = await sign(key, { method: 'GET', path: '/v1/things' });
      // fetch() cannot send a GET body, nor a path it would normalise itself: a raw request can.
      const withBody = await rawRequest('GET', '/v1/things', get.headers, '{"amount":1}');
      expect(withBody).toMatchObject({ status: 400, body: { message: 'A GET request carries no body' } });
      const message = await refusedWith(
        await send(
          key,
          { method: 'POST', path: '/v1/transfers', body: { amount: '1' } },
          { body: '{"amount":"1000","amount":"1"}' },
        ),
        400,
        'INVALID_CLIENT_REQUEST',
      );
      expect(message).toBe('Body repeats the key "amount"');
      // `:id` matches "..", which the upstream's URL parser would turn into /v1/.
      const thing = await sign(key, { method: 'GET', path: '/v1/things/:id', pathParams: { id: '..' } });
      const dotted = await rawRequest('GET', '/v1/things/%2e%2e', thing.headers);
      expect(dotted).toMatchObject({ status: 400, body: { code: 'INVALID_CLIENT_REQUEST' } });
      const backslash = await rawRequest('GET', '/v1/things/a\\b', thing.headers);
      expect(backslash.status).toBe(400);
    });
    expect(reached).toEqual([]);
  });
});

describe('the upstream down or slow', () => {
  it('answers 502 when the upstream cannot be reached', async () => {
    const key = await makeKey({ permissions: 'read' });
    const response = await send(key, { method: 'GET', path: '/v2/down' });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'The upstream could not be reached (ECONNREFUSED)',
    });
  });

  it('answers 504 when the upstream does not answer within SIGNET_UPSTREAM_TIMEOUT, once', async () => {
    const key = await makeKey({ permissions: 'read' });
    const reached = await arrivals(async () => {
      const response = await send(key, { method: 'GET', path: '/slow/thing' });
      expect(response.status).toBe(504);
      expect(await response.json()).toEqual({
        code: 'UPSTREAM_TIMEOUT',
        message: 'The upstream did not answer within 1000 ms',
      });
    });
    // Never retried.
    expect(reached).toHaveLength(1);
  });
});

describe('everything keys have applies to gateway routes', () => {
  it('counts usage and refusals per key, records last use, and has metrics by route', async () => {
    const key = await makeKey({ permissions: 'read' });
    expect((await send(key, { method: 'GET', path: '/v1/things' })).status).toBe(200);
    expect((await send(key, { method: 'POST', path: '/v1/transfers', body: { a: '1' } })).status).toBe(403);
    // Usage is written in batches every few seconds; last use just after the request.
    let usage = await getKeyUsage(db, { keyId: key.id, userId: user.id, now: Date.now() });
    for (let i = 0; i < 100 && usage.totals.ok + usage.totals.permission < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      usage = await getKeyUsage(db, { keyId: key.id, userId: user.id, now: Date.now() });
    }
    expect(usage.totals).toMatchObject({ ok: 1, permission: 1 });
    // The sample names the route's own permission (it was worked out from Backpack's table: "withdraw").
    expect(usage.refusals[0]).toMatchObject({
      reason: 'permission',
      instruction: 'transferExecute',
      permission: 'transfers',
    });
    const row = await db
      .selectFrom('api_keys')
      .select(['last_used_at', 'last_used_ip'])
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow();
    expect(row.last_used_ip).toBe('127.0.0.1');

    const metrics = await (
      await fetch(`${signet.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(metrics).toMatch(
      /signet_http_requests_total\{route="\/v1\/things",method="GET",status="200"\} [1-9]/,
    );
    expect(metrics).toMatch(/signet_gateway_upstream_seconds_count\{route="\/v1\/things"\} [1-9]/);
    expect(metrics).toMatch(
      /signet_gateway_upstream_failures_total\{route="\/v2\/down",kind="unavailable"\} [1-9]/,
    );
    expect(metrics).toMatch(/signet_signed_request_refusals_total\{reason="FORBIDDEN"\} [1-9]/);
  });

  it('audits a key created with a custom permission', async () => {
    const key = await makeKey({ permissions: ['read', 'transfers'] });
    const event = await db
      .selectFrom('audit_events')
      .select('details')
      .where('type', '=', 'api_key.created')
      .where('details', 'like', `%${key.id}%`)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.details as string)).toMatchObject({ permissions: ['read', 'transfers'] });
  });

  it('leaves the Backpack API and its streams as they were', async () => {
    const key = await makeKey({ permissions: 'read' });
    const prepared = await createSignedRequest(
      { method: 'GET', path: '/api/v1/capital' },
      await createSigner(key.secret),
    );
    expect((await fetch(signet.url + prepared.pathWithQuery, { headers: prepared.headers })).status).toBe(
      200,
    );
  });
});
