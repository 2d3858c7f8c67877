/**
 * The schema is the type: a route's JSON schema (written `as const`) is both what Fastify validates and, through
 * the json-schema-to-ts type provider, the type of `request.body`, `request.query` and `request.params` in its
 * handler. No route restates a wire shape as an interface or casts a request to one (test/architecture.test.ts
 * refuses `request.body as`); `Wire<typeof schema>` names a shape where code outside the handler needs it (the
 * console SPA imports its response types this way, type-only, so no server code reaches the browser bundle).
 *
 * What the types assume of the validator (app.ts): Ajv fills `default`s (so a defaulted property is present) and
 * coerces query strings to the schema's types (`coerceTypes: 'array'`).
 */
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteOptions,
} from 'fastify';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/** The type provider every route is typed with. */
export type SchemaTypes = JsonSchemaToTsProvider;

/** The value a JSON schema describes (what passes validation, or what a response carries). */
export type Wire<Schema extends JSONSchema> = FromSchema<Schema>;

/**
 * What a client may send for a request schema: like Wire, but a property with a `default` stays optional (the
 * server's validator fills it in; inside the handler, Wire's type has it).
 */
export type WireInput<Schema extends JSONSchema> = FromSchema<
  Schema,
  { keepDefaultedPropertiesOptional: true }
>;

/** A request whose body, query and params are typed by `Schema`. */
export type SchemaRequest<Schema extends FastifySchema> = FastifyRequest<
  RouteGenericInterface,
  RawServerDefault,
  RawRequestDefaultExpression,
  Schema,
  SchemaTypes
>;

/** The app or plugin instance with the schema type provider: `app.get(url, { schema }, handler)` is typed. */
export type SchemaTypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyInstance['log'],
  SchemaTypes
>;

/** Route options whose handler is typed by its schema (request and reply). */
export type SchemaRouteOptions<Schema extends FastifySchema> = RouteOptions<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  RouteGenericInterface,
  unknown,
  Schema,
  SchemaTypes
>;

/**
 * A route object (for `app.route`) typed by its schema. The schema's literal type is kept (`const`), so the handler
 * sees exactly what validation lets through; the result is an ordinary RouteOptions for the route lists.
 */
export function schemaRoute<const Schema extends FastifySchema>(
  options: SchemaRouteOptions<Schema>,
): RouteOptions {
  return options as unknown as RouteOptions;
}

/** A handler typed by its schema, for route shapes of Signet's own (signed routes). */
export type SchemaHandler<Schema extends FastifySchema> = (
  request: SchemaRequest<Schema>,
  reply: FastifyReply,
) => Promise<unknown>;
