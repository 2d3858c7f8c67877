// ESLint flat config: typescript-eslint recommended rules, the project's import habits, and the layering.
//
// Layering (docs in README "Layout"): protocol/ and client/ import nothing of the server or the store, so the SDK
// can ship alone; exchange/model and exchange/engine are pure (no Kysely, no store, no I/O module); only
// exchange/persistence, the key cache (keys/key-cache.ts, on the signed path), the stream outbox and node registry
// (events/sqlite-outbox.ts, stream-nodes.ts: they run inside the order's transaction) and the store itself
// may use the prepared-statement layer; keys/ and exchange/ never
// import the console, the server or the gateway; events/ imports no fastify or ws; gateway/ imports keys, protocol,
// the store and the server's signed-request step only; from outside an area (exchange, keys, accounts, events,
// gateway) only its index.ts is imported. The schema is the type (src/server/schema-types.ts): no code of src/
// casts a request's body, query or params, and no route restates its schema as a Body/Query/Params interface.
// test/architecture.test.ts proves that each rule fires.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_PROTOCOL = {
  regex: '^(fs|path|crypto|http|url|os|child_process|util|events|stream|net)$',
  message: 'Use the node: protocol.',
};

/**
 * One published surface per area: from outside src/<area>/, only src/<area>/index.ts may be imported. Inside an
 * area, imports are relative and never name the area, so the one pattern serves every file of src/.
 */
const AREA_SURFACES = {
  regex: '(^|/)(exchange|keys|accounts|events|gateway|liquidity)/(?!index\\.ts$)',
  message:
    'Import another area through its published surface (src/<area>/index.ts), not its internals; export what you need there.',
};

/**
 * `no-restricted-imports` with the node: rule, the area surfaces and `patterns` (a later config replaces the rule's
 * options, so every config of src/ repeats the surfaces).
 */
function restrictImports(...patterns) {
  return ['error', { patterns: [NODE_PROTOCOL, AREA_SURFACES, ...patterns] }];
}

const SERVER_OR_STORE = {
  regex:
    '(^|/)(server|store|keys|console|accounts|exchange|cli)/|^(kysely|better-sqlite3|pg|fastify|ioredis)$',
  message: 'protocol/ and client/ are pure and ship alone: they import nothing of the server or the store.',
};
const PURE_EXCHANGE = {
  regex: '^(kysely|pg|better-sqlite3)$|(^|/)(store|persistence|capital|server)/',
  message: 'exchange/model and exchange/engine are pure rules: no database, no I/O modules.',
};
const PREPARED_QUERIES = {
  regex: '(^|/)store/prepared-query\\.ts$',
  message:
    'Only exchange/persistence, the key cache and the stream outbox (in-transaction paths) use the prepared-statement layer.',
};
const NO_TRANSPORT = {
  regex: '^(fastify|ws|@fastify/.*)$|(^|/)server/',
  message:
    'events/ is the transport-free pipeline (commit -> event -> bus -> sequencer): no HTTP, no WebSocket.',
};
const NO_CONSOLE_OR_SERVER = {
  regex: '(^|/)(console|server|gateway)/',
  message:
    'keys/ and exchange/ do not depend on the console, the HTTP layer or the gateway (accounts/ holds users and audit).',
};
const GATEWAY_DEPENDENCIES = {
  regex:
    '(^|/)(exchange|console|accounts|events|cli|client)/|(^|/)server/(?!plugins/(error-handler|signed-auth)\\.ts$)',
  message:
    "gateway/ verifies and forwards: it imports keys, protocol, the store and the server's signed-request step (server/plugins/signed-auth.ts, error-handler.ts) only.",
};

/** A request's parts: their types come from the route's JSON schema, never from a cast (schema-types.ts). */
const REQUEST_PART = 'MemberExpression[object.name=/^(request|req)$/][property.name=/^(body|query|params)$/]';
const SCHEMA_IS_THE_TYPE = [
  'error',
  ...[
    `TSAsExpression > ${REQUEST_PART}`,
    `TSAsExpression > LogicalExpression > ${REQUEST_PART}`,
    `TSTypeAssertion > ${REQUEST_PART}`,
    `TSTypeAssertion > LogicalExpression > ${REQUEST_PART}`,
  ].map((selector) => ({
    selector,
    message:
      "Type a request's body, query and params by the route's schema (schemaRoute, signedRoute, withTypeProvider: src/server/schema-types.ts), not a cast.",
  })),
];
const NO_RESTATED_SCHEMAS = {
  selector: 'TSInterfaceDeclaration[id.name=/(Body|Query|Params)$/]',
  message:
    'A route schema is its type: use Wire<typeof schema> (src/server/schema-types.ts), not an interface.',
};

export default tseslint.config(
  { ignores: ['node_modules', 'web/dist', 'data', 'test-results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [NODE_PROTOCOL] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrictImports(), 'no-restricted-syntax': SCHEMA_IS_THE_TYPE },
  },
  {
    files: ['src/server/routes/**/*.ts', 'src/server/views/**/*.ts', 'src/gateway/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-syntax': [...SCHEMA_IS_THE_TYPE, NO_RESTATED_SCHEMAS] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: [
      'src/exchange/persistence/**',
      'src/store/**',
      'src/keys/key-cache.ts',
      'src/events/sqlite-outbox.ts',
      'src/events/stream-nodes.ts',
      'src/**/*.test.ts',
    ],
    rules: { 'no-restricted-imports': restrictImports(PREPARED_QUERIES) },
  },
  {
    files: ['src/protocol/**/*.ts', 'src/client/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrictImports(SERVER_OR_STORE) },
  },
  {
    files: ['src/exchange/model/**/*.ts', 'src/exchange/engine/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrictImports(PURE_EXCHANGE, PREPARED_QUERIES) },
  },
  {
    files: ['src/keys/**/*.ts', 'src/exchange/**/*.ts', 'src/accounts/**/*.ts'],
    ignores: [
      'src/**/*.test.ts',
      'src/exchange/model/**',
      'src/exchange/engine/**',
      'src/exchange/persistence/**',
      'src/keys/key-cache.ts',
    ],
    rules: { 'no-restricted-imports': restrictImports(NO_CONSOLE_OR_SERVER, PREPARED_QUERIES) },
  },
  {
    files: ['src/exchange/persistence/**/*.ts', 'src/keys/key-cache.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrictImports(NO_CONSOLE_OR_SERVER) },
  },
  {
    files: ['src/events/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/events/sqlite-outbox.ts', 'src/events/stream-nodes.ts'],
    rules: { 'no-restricted-imports': restrictImports(NO_TRANSPORT, PREPARED_QUERIES) },
  },
  {
    files: ['src/gateway/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrictImports(GATEWAY_DEPENDENCIES, PREPARED_QUERIES) },
  },
  {
    files: ['src/events/sqlite-outbox.ts', 'src/events/stream-nodes.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrictImports(NO_TRANSPORT) },
  },
);
