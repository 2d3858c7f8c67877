/**
 * The shared auth suite: every signed Backpack route, built or not, passes the same checks, through app.inject()
 * and again through a real listening server (real sockets, real header parsing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import type { User } from '../src/accounts/accounts-service.ts';
import { revokeApiKey } from '../src/keys/keys-service.ts';
import { generateKeyPair } from '../src/protocol/ed25519-node.ts';
import { INSTRUCTION_ROUTES, type InstructionRoute } from '../src/protocol/instructions.ts';
import { createTestContext, type TestContext, type TestKey, type Transport } from './helpers/context.ts';

describe.each<Transport>(['inject', 'http'])('over %s', (transport) => {
  let ctx: TestContext;
  let user: User;
  let full: TestKey;
  let readOnly: TestKey;
  let revoked: TestKey;

  beforeAll(async () => {
    ctx = await createTestContext({ transport });
    user = await ctx.createUser();
    full = await ctx.createKey(user);
    readOnly = await ctx.createKey(user, { readOnly: true });
    revoked = await ctx.createKey(user);
    await revokeApiKey(ctx.db, { key: revoked.apiKey });
  });
  afterAll(() => ctx.close());

  function specOf(route: InstructionRoute, params: Record<string, string> = {}) {
    if (route.method === 'GET') return { method: route.method, path: route.path, query: params };
    return { method: route.method, path: route.path, body: route.batch ? [params] : params };
  }

  describe.each(INSTRUCTION_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s',
    (_name, route) => {
      it('answers 401 UNAUTHORIZED without auth headers', async () => {
        const res = await ctx.send({ method: route.method, url: route.path });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
      });

      it('answers 400 for an X-API-Key that is not base64', async () => {
        const res = await ctx.signed(full, specOf(route), { headers: { 'X-API-Key': '!!not-base64!!' } });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ code: 'INVALID_CLIENT_REQUEST' });
      });

      it('answers 400 for an X-API-Key of the wrong length', async () => {
        const res = await ctx.signed(full, specOf(route), {
          headers: { 'X-API-Key': Buffer.alloc(31, 1).toString('base64') },
        });
        expect(res.statusCode).toBe(400);
      });

      it('answers 401 UNAUTHORIZED for an unknown key, even correctly signed', async () => {
        const res = await ctx.signed(generateKeyPair(), specOf(route));
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ code: 'UNAUTHORIZED', message: 'Invalid API key' });
      });

      it('answers 401 UNAUTHORIZED for a revoked key', async () => {
        const res = await ctx.signed(revoked, specOf(route));
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ code: 'UNAUTHORIZED', message: 'Invalid API key' });
      });

      it('answers 401 INVALID_SIGNATURE when a parameter is altered after signing, showing the rebuilt string', async () => {
        const other = await ctx.signed(full, specOf(route, { symbol: 'SOL_USDC' }));
        expect(other.statusCode).not.toBe(401);
        const signedFor = specOf(route, { symbol: 'SOL_USDC' });
        const tampered = route.method === 'GET' ? `${route.path}?symbol=BTC_USDC` : route.path;
        const prepared = await createSignedRequest(
          { ...signedFor, timestamp: ctx.clock.now },
          await createSigner(full.secret),
        );
        const res = await ctx.send({
          method: route.method,
          url: tampered,
          headers: prepared.headers,
          payload:
            route.method === 'GET'
              ? undefined
              : JSON.stringify(route.batch ? [{ symbol: 'BTC_USDC' }] : { symbol: 'BTC_USDC' }),
        });
        expect(res.statusCode).toBe(401);
        expect(res.json().code).toBe('INVALID_SIGNATURE');
        expect(res.json().message).toContain(`instruction=${route.instruction}&symbol=BTC_USDC&timestamp=`);
      });

      it('answers 401 UNAUTHORIZED for a request replayed outside its window', async () => {
        const res = await ctx.signed(full, { ...specOf(route), timestamp: ctx.clock.now - 5001 });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ code: 'UNAUTHORIZED', message: 'Request has expired' });
        const ahead = await ctx.signed(full, {
          ...specOf(route),
          timestamp: ctx.clock.now + 60_001,
          window: 60_000,
        });
        expect(ahead.statusCode).toBe(401);
      });

      if (route.kind === 'query') {
        it('lets a read-only key through (a query instruction)', async () => {
          const res = await ctx.signed(readOnly, specOf(route));
          expect([401, 403]).not.toContain(res.statusCode);
        });
      } else {
        it('answers 403 FORBIDDEN to a read-only key (a mutating instruction)', async () => {
          const res = await ctx.signed(readOnly, specOf(route, { symbol: 'SOL_USDC' }));
          expect(res.statusCode).toBe(403);
          expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
        });
      }

      it('lets a full key through', async () => {
        const res = await ctx.signed(full, specOf(route));
        expect([401, 403, 500]).not.toContain(res.statusCode);
      });
    },
  );

  describe('subaccount binding', () => {
    it('refuses a signed request that names another subaccount', async () => {
      const sub = await ctx.createSubaccount(user, 'Bot');
      const subKey = await ctx.createKey(user, { subaccountName: 'Bot' });
      const mine = await ctx.signed(subKey, {
        method: 'GET',
        path: '/api/v1/capital',
        query: { subaccountId: String(sub.number) },
      });
      expect(mine.statusCode).toBe(200);
      const main = await ctx.signed(subKey, {
        method: 'GET',
        path: '/api/v1/capital',
        query: { subaccountId: '0' },
      });
      expect(main.statusCode).toBe(403);
      expect(main.json()).toMatchObject({ code: 'FORBIDDEN' });
    });
  });
});
