/** The API documentation: an OpenAPI 3 document generated from the route schemas, and a browsable page. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { INSTRUCTION_ROUTES } from '../src/protocol/instructions.ts';
import { createTestContext, type TestContext } from './helpers/context.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('GET /docs/openapi.json', () => {
  it('is an OpenAPI 3 document describing the signing headers', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'X-API-Key',
      'X-Signature',
      'X-Timestamp',
      'X-Window',
    ]);
  });

  it('documents the public routes and every implemented signed route with its schema', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    for (const path of ['/api/v1/status', '/api/v1/time', '/api/v1/assets', '/api/v1/markets'])
      expect(doc.paths).toHaveProperty(path);
    const capital = doc.paths['/api/v1/capital'].get;
    expect(capital.security).toBeDefined();
    expect(capital.responses['200'].content['application/json'].schema.additionalProperties.required).toEqual(
      ['available', 'locked', 'staked'],
    );
    const documented = INSTRUCTION_ROUTES.filter((r) => doc.paths[r.path]?.[r.method.toLowerCase()]);
    expect(documented.length).toBeGreaterThanOrEqual(2);
  });
});

describe('GET /docs/protocol', () => {
  it('serves the signing guide the console points to as a readable HTML page, not raw markdown', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs/protocol' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain(
      '<h1 id="signing-requests-for-signet-backpack-compatible">Signing requests for Signet (Backpack-compatible)</h1>',
    );
    expect(res.body).toMatch(/<table>[\s\S]*<th>permission<\/th>/);
    expect(res.body).toContain(
      'instruction=orderCancel&amp;orderId=28&amp;symbol=BTC_USDT&amp;timestamp=1614550000000&amp;window=5000',
    );
    expect(res.body).not.toContain('| method |');
  });

  it('links only to pages this server answers (regression: three links of the guide were 404)', async () => {
    const body = (await ctx.app.inject({ method: 'GET', url: '/docs/protocol' })).body;
    expect(body).not.toMatch(/href="(\.\.\/test|ERRORS\.md)/);
    expect(body).toContain('href="/docs/errors"');
    expect(body).toContain('href="/docs/vectors.json"');
    expect(body).toContain('href="/docs/vectors"');
    // In-page links have their targets (marked gives headings no ids by itself).
    expect(body).toContain('href="#withdrawals-the-address-book"');
    expect(body).toContain('id="withdrawals-the-address-book"');
    const errors = await ctx.app.inject({ method: 'GET', url: '/docs/errors' });
    expect(errors.statusCode).toBe(200);
    expect(errors.body).toContain('<code>KEY_NAME_INVALID</code>');
    expect(errors.body).toContain('← Signet console');
    const vectors = await ctx.app.inject({ method: 'GET', url: '/docs/vectors.json' });
    expect(Array.isArray(vectors.json<{ requests: unknown[] }>().requests)).toBe(true);
    expect((await ctx.app.inject({ method: 'GET', url: '/docs/vectors' })).statusCode).toBe(200);
  });

  it('serves the markdown itself at /docs/protocol.md', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs/protocol.md' });
    expect(res.headers['content-type']).toContain('text/markdown');
    expect(res.body).toMatch(/^# Signing requests for Signet/);
  });
});

describe('GET /docs', () => {
  it('serves a browsable page with its assets from the package, no CDN', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs' });
    const page =
      res.statusCode === 302
        ? await ctx.app.inject({ method: 'GET', url: res.headers.location as string })
        : res;
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    const asset = await ctx.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(asset.statusCode).toBe(200);
  });
});
