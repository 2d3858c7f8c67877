/**
 * `import { createVerifier } from 'signet/verify'` used as a package user would: a separate plain-Node process
 * (test/fixtures/embedded-service.mjs) in its own directory, with `signet` in its node_modules, verifying requests
 * signed with the SDK. Keys from Signet's database (usage recorded there), and over Signet's key endpoint (a
 * revocation reaches it within its cache's bound).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, type User } from '../src/accounts/index.ts';
import { createSignedRequest, type SignedRequestSpec } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createApiKey, getKeyUsage, revokeApiKey } from '../src/keys/index.ts';
import { startServer, type RunningServer } from '../src/server/start-server.ts';
import { generateKeyPair } from '../src/protocol/ed25519-node.ts';
import { openStore, type Store } from '../src/store/create-database.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TOKEN = 'a verify token of at least thirty-two characters';
const dir = mkdtempSync(join(tmpdir(), 'signet-embedded-'));
const routesFile = join(dir, 'routes.json');
writeFileSync(
  routesFile,
  JSON.stringify({
    permissions: ['transfers'],
    routes: [
      { method: 'GET', path: '/v1/things/:id', instruction: 'thingQuery', permission: 'read' },
      { method: 'POST', path: '/v1/transfers', instruction: 'transferExecute', permission: 'transfers' },
    ],
  }),
);

/** A directory that depends on signet like any project would: node_modules/signet is this repository. */
function serviceDirectory(): string {
  const app = join(dir, 'service');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(app, 'node_modules', 'signet'), 'dir');
  copyFileSync(join(ROOT, 'test', 'fixtures', 'embedded-service.mjs'), join(app, 'service.mjs'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  return app;
}
const app = serviceDirectory();

interface Service {
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}

async function startService(options: Record<string, unknown>): Promise<Service> {
  // Plain node: no --import tsx, no loader flags; only what a user's service would have.
  const child = spawn(process.execPath, ['service.mjs'], {
    cwd: app,
    env: { PATH: process.env.PATH, VERIFIER_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

let db: Store;
let user: User;
const database = join(dir, 'signet.db');

async function makeKey(permissions: string): Promise<{ id: string; apiKey: string; secret: string }> {
  const created = await createApiKey(db, {
    userId: user.id,
    name: `embedded ${Math.random()}`,
    permissions,
    declaredPermissions: ['transfers'],
  });
  return { id: created.key.id, apiKey: created.key.apiKey, secret: created.secret as string };
}

async function call(
  service: Service,
  key: { secret: string },
  spec: SignedRequestSpec,
): Promise<{ status: number; body: Record<string, unknown>; replay: () => Promise<number> }> {
  const prepared = await createSignedRequest(spec, await createSigner(key.secret));
  const send = () =>
    fetch(service.url + prepared.pathWithQuery, {
      method: spec.method,
      headers: prepared.headers,
      body: prepared.body,
    });
  const response = await send();
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    replay: async () => (await send()).status,
  };
}

const thing: SignedRequestSpec = {
  method: 'GET',
  path: '/v1/things/:id',
  instruction: 'thingQuery',
  pathParams: { id: 'a b' },
  query: { detail: 'full' },
};
const transfer: SignedRequestSpec = {
  method: 'POST',
  path: '/v1/transfers',
  instruction: 'transferExecute',
  body: { amount: '2.50' },
};

beforeAll(async () => {
  db = await openStore(database);
  user = await createUser(db, { email: 'embedded@example.com', password: 'long enough password' });
});
afterAll(() => db?.destroy());

describe("createVerifier() from 'signet/verify' with Signet's database", { timeout: 60_000 }, () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ routes: routesFile, databaseUrl: database });
  }, 60_000);
  afterAll(() => service?.stop());

  it('accepts a signed request and gives the identity the gateway would send', async () => {
    const key = await makeKey('read');
    const { status, body } = await call(service, key, thing);
    expect(status).toBe(200);
    expect(body).toEqual({
      identity: {
        user: user.id,
        subaccount: expect.stringMatching(/^sub_/),
        apiKey: key.apiKey,
        permissions: ['read'],
        instruction: 'thingQuery',
      },
      instruction: 'thingQuery',
    });
  });

  it('refuses as the gateway does: permission, tampering, replay, revocation', async () => {
    const reader = await makeKey('read');
    expect(await call(service, reader, transfer)).toMatchObject({
      status: 403,
      body: {
        code: 'FORBIDDEN',
        message: 'This API key lacks the transfers permission needed for transferExecute (it is read-only)',
      },
    });
    const mover = await makeKey('read,transfers');
    const first = await call(service, mover, transfer);
    expect(first.status).toBe(200);
    expect(await first.replay()).toBe(401);

    const prepared = await createSignedRequest(thing, await createSigner(mover.secret));
    const tampered = await fetch(`${service.url}/v1/things/other?detail=full`, { headers: prepared.headers });
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { message: string }).message).toContain(
      'The server signed: instruction=thingQuery&detail=full&id=other',
    );

    await revokeApiKey(db, { key: mover.apiKey });
    expect((await call(service, mover, thing)).status).toBe(401);
  });

  it("records the key's usage in Signet's database, as the gateway does", async () => {
    const key = await makeKey('read');
    expect((await call(service, key, thing)).status).toBe(200);
    expect((await call(service, key, transfer)).status).toBe(403);
    await service.stop();
    const usage = await getKeyUsage(db, { keyId: key.id, userId: user.id, now: Date.now() });
    expect(usage.totals).toMatchObject({ ok: 1, permission: 1 });
  });
});

describe("createVerifier() from 'signet/verify' over Signet's key endpoint", { timeout: 60_000 }, () => {
  let signet: RunningServer;
  beforeAll(async () => {
    signet = await startServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: database,
      verifyToken: TOKEN,
    });
  }, 60_000);
  afterAll(() => signet?.close());

  it('verifies with key records read over HTTP, and sees a revocation within cacheMs', async () => {
    const service = await startService({
      routes: routesFile,
      signetUrl: signet.url,
      token: TOKEN,
      cacheMs: 300,
    });
    try {
      const key = await makeKey('read');
      const accepted = await call(service, key, thing);
      expect(accepted).toMatchObject({ status: 200, body: { identity: { permissions: ['read'] } } });
      // A pair Signet never registered.
      expect((await call(service, generateKeyPair(), thing)).status).toBe(401);
      await revokeApiKey(db, { key: key.apiKey });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect((await call(service, key, thing)).status).toBe(401);
    } finally {
      await service.stop();
    }
  });

  it('answers an outage, never an acceptance, when the token is wrong', async () => {
    const service = await startService({
      routes: routesFile,
      signetUrl: signet.url,
      token: `${TOKEN}x`,
      cacheMs: 300,
    });
    try {
      const key = await makeKey('read');
      expect(await call(service, key, thing)).toMatchObject({
        status: 503,
        body: { message: "verification unavailable: Signet's key endpoint answered 401" },
      });
    } finally {
      await service.stop();
    }
  });

  it('keeps the key endpoint closed without the token', async () => {
    const key = await makeKey('read');
    const url = `${signet.url}/gateway/v1/keys?apiKey=${encodeURIComponent(key.apiKey)}`;
    expect((await fetch(url)).status).toBe(401);
    const open = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(open.status).toBe(200);
    expect(await open.json()).toMatchObject({ apiKey: key.apiKey, permissions: ['read'], revokedAt: null });
  });
});
