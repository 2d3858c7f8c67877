/**
 * The console SPA is served at `/` with client-side routing, while the API prefixes keep their JSON 404s.
 * Uses a stand-in build (a temp folder with index.html and one asset), so it runs without `npm run build:web`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerErrorHandling } from '../src/server/plugins/error-handler.ts';
import { staticWeb } from '../src/server/plugins/static-web.ts';
import { createConsoleTestContext, type ConsoleTestContext } from './helpers/console-context.ts';

const INDEX = '<!doctype html><title>Signet console</title><div id="root"></div>';

let root: string;
let app: FastifyInstance;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'signet-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'assets/index-abc123.js'), 'console.log(1)');
  app = Fastify();
  registerErrorHandling(app);
  app.get('/api/v1/status', async () => ({ status: 'Ok' }));
  await app.register(staticWeb, { root });
});
afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

describe('staticWeb', () => {
  it('serves index.html at / with a strict Content-Security-Policy', async () => {
    const response = await app.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(INDEX);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it.each(['/sign-in', '/settings/api-keys', '/settings/security?tab=2fa'])(
    'answers the console path %s with index.html (client-side routing)',
    async (path) => {
      const response = await app.inject(path);
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe(INDEX);
    },
  );

  it('serves hashed assets with long-lived caching', async () => {
    const response = await app.inject('/assets/index-abc123.js');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toContain('immutable');
  });

  it.each(['/api/v1/nope', '/wapi/v1/nope'])(
    'answers 501 NOT_IMPLEMENTED for the Backpack path %s',
    async (path) => {
      const response = await app.inject(path);
      expect(response.statusCode).toBe(501);
      expect(response.json()).toEqual({
        code: 'NOT_IMPLEMENTED',
        message: `Not implemented by this server: GET ${path}`,
      });
    },
  );

  it.each(['/api/v2/nope', '/console/api/nope', '/docs/nope', '/assets/missing.js'])(
    'keeps a JSON 404 for %s',
    async (path) => {
      const response = await app.inject(path);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ code: 'RESOURCE_NOT_FOUND', message: `Not found: GET ${path}` });
    },
  );

  it('leaves API routes alone', async () => {
    expect((await app.inject('/api/v1/status')).json()).toEqual({ status: 'Ok' });
  });
});

describe('buildApp() with the console', () => {
  let ctx: ConsoleTestContext;
  beforeAll(async () => {
    ctx = await createConsoleTestContext();
  });
  afterAll(() => ctx.close());

  it('keeps JSON errors under the API prefixes: 501 for Backpack paths, 404 for the console API', async () => {
    for (const path of ['/api/v1/unknown', '/wapi/v1/unknown']) {
      const response = await ctx.app.inject(path);
      expect(response.statusCode).toBe(501);
      expect(response.json()).toMatchObject({ code: 'NOT_IMPLEMENTED' });
    }
    const response = await ctx.app.inject('/console/api/unknown');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
  });

  it('marks console API answers as not cacheable', async () => {
    const response = await ctx.app.inject('/console/api/session');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('lists the console routes in the OpenAPI document', async () => {
    const doc = (await ctx.app.inject('/docs/openapi.json')).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/console/api/auth/login', '/console/api/keys', '/console/api/keys/{id}']),
    );
  });
});
