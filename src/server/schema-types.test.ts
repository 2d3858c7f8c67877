/**
 * The schema is the type: a handler written with schemaRoute / signedRoute / withTypeProvider sees exactly what
 * its schema lets through (checked by the type checker: `npm run typecheck`), and Fastify validates the same
 * schema at run time (checked here over a real app's inject).
 */
import Fastify from 'fastify';
import { describe, expect, expectTypeOf, it } from 'vitest';

import { signedRoute } from './plugins/signed-api.ts';
import { schemaRoute, type SchemaTypes, type Wire } from './schema-types.ts';

const bodySchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 8 },
    readOnly: { type: 'boolean', default: false },
    side: { type: 'string', enum: ['Bid', 'Ask'] },
  },
} as const;

describe('schema types', () => {
  it('types a route object by its schema, defaults filled, and Fastify validates the same schema', async () => {
    const route = schemaRoute({
      method: 'POST',
      url: '/things/:id',
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        querystring: { type: 'object', properties: { limit: { type: 'integer', default: 10 } } },
        body: bodySchema,
        response: { 200: { type: 'object', properties: { echo: { type: 'string' } } } },
      },
      handler: async (request) => {
        expectTypeOf(request.body).toEqualTypeOf<{ name: string; readOnly: boolean; side?: 'Bid' | 'Ask' }>();
        expectTypeOf(request.params.id).toEqualTypeOf<string>();
        expectTypeOf(request.query.limit).toEqualTypeOf<number>();
        // @ts-expect-error: a property the schema does not have is not there.
        void request.body.other;
        return {
          echo: `${request.params.id}:${request.body.name}:${request.body.readOnly}:${request.query.limit}`,
        };
      },
    });
    const app = Fastify();
    app.route(route);
    const ok = await app.inject({ method: 'POST', url: '/things/7', payload: { name: 'a' } });
    expect(ok.json()).toEqual({ echo: '7:a:false:10' });
    const bad = await app.inject({ method: 'POST', url: '/things/7', payload: { name: 'much too long' } });
    expect(bad.statusCode).toBe(400);
    await app.close();
  });

  it('types an instance with the provider, and a signed route', () => {
    const app = Fastify().withTypeProvider<SchemaTypes>();
    app.get(
      '/x',
      { schema: { querystring: { type: 'object', properties: { symbol: { type: 'string' } } } } },
      (request) => {
        expectTypeOf(request.query.symbol).toEqualTypeOf<string | undefined>();
        return null;
      },
    );
    signedRoute({
      method: 'DELETE',
      url: '/api/v1/order',
      schema: { body: bodySchema },
      handler: async (request) => {
        expectTypeOf(request.body.side).toEqualTypeOf<'Bid' | 'Ask' | undefined>();
        return null;
      },
    });
    expectTypeOf<Wire<typeof bodySchema>['name']>().toEqualTypeOf<string>();
  });
});
