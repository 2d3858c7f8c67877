/**
 * Deploying the gateway: a gateway-only Signet (SIGNET_EXCHANGE=off) has the console, keys and gateway and nothing
 * of the exchange; the route file's reserved paths cover every route Signet registers; rate-limit classes; the
 * console and the CLI accept exactly the custom permissions the route file declares; a bad route file stops
 * `signet serve` with every problem listed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { createSignedRequest, type SignedRequestSpec } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { EXCHANGE_PATH_SEGMENTS, SIGNET_PATH_SEGMENTS } from '../src/gateway/index.ts';
import { INSTRUCTION_ROUTES } from '../src/protocol/instructions.ts';
import { configFromEnv, startServer, type RunningServer } from '../src/server/start-server.ts';
import { ConsoleAgent } from './helpers/console-context.ts';
import { OPENSSL } from './helpers/requirements.ts';
import { SIGNET_BIN } from './helpers/signed-fetch.ts';
import { generateKeyPair } from '../src/protocol/ed25519-node.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'signet-gateway-deploy-'));

/** A plain HTTP upstream in this process that answers what it saw and counts. */
let upstream: Server;
let upstreamUrl: string;
const seen: string[] = [];

function writeRoutes(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const address = upstream.address();
  upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

/** Every path the app serves, rebuilt from Fastify's own route tree (`printRoutes`, one node per line). */
function registeredPaths(server: RunningServer): string[] {
  const paths: string[] = [];
  const stack: string[] = [];
  for (const line of server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)( \(.*\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    stack.length = depth;
    stack.push(match[2] as string);
    if (match[3] !== undefined) paths.push(stack.join('').replace(/^\/+/, '/'));
  }
  return paths;
}

async function signedFetch(
  server: RunningServer,
  secret: string,
  spec: SignedRequestSpec,
): Promise<Response> {
  const prepared = await createSignedRequest(spec, await createSigner(secret));
  return fetch(server.url + prepared.pathWithQuery, {
    method: spec.method,
    headers: prepared.headers,
    body: prepared.body,
  });
}

describe('SIGNET_EXCHANGE=off: a gateway-only deployment', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const routes = writeRoutes('only.json', {
      permissions: ['transfers'],
      // With the exchange off, /api paths and Backpack's instruction names are the operator's to use.
      routes: [
        { method: 'GET', path: '/api/v1/capital', instruction: 'balanceQuery', permission: 'read' },
        { method: 'POST', path: '/v1/transfers', instruction: 'transferExecute', permission: 'transfers' },
      ],
    });
    const config = configFromEnv({
      SIGNET_EXCHANGE: 'off',
      SIGNET_ROUTES: routes,
      SIGNET_UPSTREAM: upstreamUrl,
      SIGNET_RATE_LIMITS: 'off',
    });
    server = await startServer({ ...config, port: 0, databaseUrl: join(dir, 'only.db') });
  }, 60_000);
  afterAll(() => server?.close());

  it('registers no route of the exchange: only the console, docs, probes, the web app and the gateway', () => {
    const paths = registeredPaths(server);
    expect(paths).toContain('/console/api/keys');
    expect(paths).toContain('/v1/transfers');
    const exchangeLike = paths.filter(
      (path) =>
        /^\/w?api\//.test(path) || path.startsWith('/console/api/exchange') || path.includes('withdrawal'),
    );
    // The operator's own /api/v1/capital (a gateway route) is the only one.
    expect(exchangeLike).toEqual(['/api/v1/capital']);
    for (const route of INSTRUCTION_ROUTES.filter((r) => r.path !== '/api/v1/capital')) {
      expect(server.app.hasRoute({ method: route.method, url: route.path })).toBe(false);
    }
  });

  it('answers no market data and has no WebSocket streams', async () => {
    expect((await fetch(`${server.url}/api/v1/markets`)).status).not.toBe(200);
    expect((await fetch(`${server.url}/api/v1/time`)).status).not.toBe(200);
    const error = await new Promise<string>((resolve) => {
      const socket = new WebSocket(server.url.replace('http', 'ws'));
      socket.on('open', () => resolve('opened'));
      socket.on('error', (e) => resolve(e.message));
    });
    expect(error).not.toBe('opened');
    expect(() => server.streams).toThrow('SIGNET_EXCHANGE=off');
  });

  it('keeps the console and keys, offers the custom permission, and the gateway enforces it', async () => {
    const agent = new ConsoleAgent(server.app, '127.0.0.1');
    expect((await agent.signUp('only@example.com')).statusCode).toBe(201);
    const session = (await agent.request('GET', '/session')).json();
    expect(session).toMatchObject({
      exchange: false,
      customPermissions: ['transfers'],
      sandboxDeposits: false,
    });
    expect((await agent.request('GET', '/exchange/balances')).statusCode).toBe(404);

    const pair = generateKeyPair();
    const created = await agent.request('POST', '/keys', {
      body: {
        name: 'transfers bot',
        publicKey: pair.apiKey,
        publicKeySource: 'user',
        permissions: ['read', 'transfers'],
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ permissions: ['read', 'transfers'], readOnly: false });
    const unknown = await agent.request('POST', '/keys', {
      body: { name: 'x', publicKey: generateKeyPair().apiKey, permissions: ['read', 'payouts'] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toBe('Unknown permission "payouts"; use read, trade, withdraw, transfers');

    const transfer: SignedRequestSpec = {
      method: 'POST',
      path: '/v1/transfers',
      instruction: 'transferExecute',
      body: { amount: '1' },
    };
    expect((await signedFetch(server, pair.secret, transfer)).status).toBe(200);
    const balance = await signedFetch(server, pair.secret, { method: 'GET', path: '/api/v1/capital' });
    expect(balance.status).toBe(200);
    expect(seen.slice(-2)).toEqual(['POST /v1/transfers', 'GET /api/v1/capital']);

    // The CLI signs gateway routes too, given the instruction.
    const cli = await run(process.execPath, [
      SIGNET_BIN,
      'request',
      'POST',
      '/v1/transfers',
      '--instruction',
      'transferExecute',
      '--body',
      '{"amount":"2"}',
      '--api-key',
      pair.apiKey,
      '--secret',
      pair.secret,
      '--url',
      server.url,
      '--json',
    ]);
    expect(JSON.parse(cli.stdout)).toEqual({ ok: true });
    expect(seen.at(-1)).toBe('POST /v1/transfers');

    // Narrowing in the console takes effect on the next request.
    const id = created.json().id as string;
    expect(
      (await agent.request('PATCH', `/keys/${id}`, { body: { permissions: ['read'] } })).statusCode,
    ).toBe(200);
    const refused = await signedFetch(server, pair.secret, transfer);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain(
      'lacks the transfers permission',
    );
  });
});

describe("the route file's reserved paths", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: join(dir, 'all.db') });
  }, 60_000);
  afterAll(() => server?.close());

  it('cover every route Signet registers and every console page, so no gateway route can take one', () => {
    const reserved = new Set([...SIGNET_PATH_SEGMENTS, ...EXCHANGE_PATH_SEGMENTS]);
    const pages = [
      ...readFileSync(join(import.meta.dirname, '..', 'web', 'src', 'routes.ts'), 'utf8').matchAll(
        /path: '(\/[^']*)'/g,
      ),
    ].map((match) => match[1] as string);
    expect(pages.length).toBeGreaterThan(3);
    const uncovered = [...registeredPaths(server), ...pages].filter((path) => {
      if (path === '/' || path === '/*') return false; // the web app's root and fallback: a gateway route wins over it
      const first = path.split('/')[1] ?? '';
      // The web app's own files (/index.html, /favicon.svg): no gateway path may start with a file name.
      return !reserved.has(first) && !first.includes('.');
    });
    expect(uncovered).toEqual([]);
  });
});

describe('rate-limit classes', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const routes = writeRoutes('limits.json', {
      rateLimits: { bulk: 2 },
      routes: [
        { method: 'GET', path: '/v1/bulk', instruction: 'bulkQuery', permission: 'read', rateLimit: 'bulk' },
      ],
    });
    const config = configFromEnv({ SIGNET_ROUTES: routes, SIGNET_UPSTREAM: upstreamUrl });
    server = await startServer({ ...config, port: 0, databaseUrl: join(dir, 'limits.db') });
  }, 60_000);
  afterAll(() => server?.close());

  it("refuses a subaccount past its route's class with 429 and Retry-After, before the upstream", async () => {
    const agent = new ConsoleAgent(server.app, '127.0.0.1');
    await agent.signUp('limits@example.com');
    const pair = generateKeyPair();
    await agent.request('POST', '/keys', {
      body: { name: 'bulk', publicKey: pair.apiKey, permissions: ['read'] },
    });
    const before = seen.length;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await signedFetch(server, pair.secret, {
        method: 'GET',
        path: '/v1/bulk',
        instruction: 'bulkQuery',
      });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(seen.length - before).toBe(2);
  });
});

describe.skipIf(!OPENSSL.available)('an https upstream', () => {
  it('is refused (502) when its certificate does not verify, never forwarded unchecked', async () => {
    const certDir = mkdtempSync(join(tmpdir(), 'signet-gateway-tls-'));
    execFileSync(
      OPENSSL.where,
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    let handled = 0;
    const tls = createHttpsServer(
      { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) },
      (_req, res) => {
        handled += 1;
        res.end('{}');
      },
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const address = tls.address();
    const routes = writeRoutes('tls.json', {
      routes: [{ method: 'GET', path: '/v1/secure', instruction: 'secureQuery', permission: 'read' }],
    });
    const config = configFromEnv({
      SIGNET_ROUTES: routes,
      SIGNET_UPSTREAM: `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      SIGNET_RATE_LIMITS: 'off',
    });
    const server = await startServer({ ...config, port: 0, databaseUrl: join(dir, 'tls.db') });
    try {
      const agent = new ConsoleAgent(server.app, '127.0.0.1');
      await agent.signUp('tls@example.com');
      const pair = generateKeyPair();
      await agent.request('POST', '/keys', {
        body: { name: 'tls', publicKey: pair.apiKey, permissions: ['read'] },
      });
      const response = await signedFetch(server, pair.secret, {
        method: 'GET',
        path: '/v1/secure',
        instruction: 'secureQuery',
      });
      expect(response.status).toBe(502);
      expect(((await response.json()) as { code: string }).code).toBe('UPSTREAM_UNAVAILABLE');
      expect(handled).toBe(0);
    } finally {
      await server.close();
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });
});

describe('the CLI and `signet serve --routes`', { timeout: 60_000 }, () => {
  const database = join(dir, 'cli.db');
  const routes = writeRoutes('cli.json', {
    permissions: ['transfers'],
    routes: [
      { method: 'POST', path: '/v1/transfers', instruction: 'transferExecute', permission: 'transfers' },
    ],
  });
  const cli = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [SIGNET_BIN, ...args], {
        env: { ...process.env, DATABASE_URL: database, ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('creates a key with a custom permission declared in SIGNET_ROUTES, and refuses it without', async () => {
    expect(
      (await cli(['users', 'create', '--email', 'cli@example.com', '--password', 'long enough'])).code,
    ).toBe(0);
    const create = [
      'keys',
      'create',
      '--email',
      'cli@example.com',
      '--name',
      'k',
      '--permissions',
      'read,transfers',
      '--json',
    ];
    const withRoutes = await cli(create, { SIGNET_ROUTES: routes });
    expect(withRoutes.code).toBe(0);
    expect(JSON.parse(withRoutes.stdout)).toMatchObject({
      permissions: ['read', 'transfers'],
      readOnly: false,
    });
    const without = await cli(create);
    expect(without.code).not.toBe(0);
    expect(without.stderr).toContain('Unknown permission "transfers"; use read, trade, withdraw');
  });

  it('stops `signet serve --routes` on a bad file, listing every problem', async () => {
    const bad = writeRoutes('bad.json', {
      routes: [
        { method: 'GET', path: '/console/x', instruction: 'a', permission: 'read' },
        { method: 'POST', path: '/v1/t', instruction: 'b', permission: 'payouts' },
      ],
    });
    const result = await cli(['serve', '--port', '0', '--routes', bad], { SIGNET_UPSTREAM: upstreamUrl });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`Invalid gateway routes in ${bad}:`);
    expect(result.stderr).toContain("route GET /console/x: clashes with Signet's own routes under /console");
    expect(result.stderr).toContain('route POST /v1/t: unknown permission "payouts"');
  });
});
