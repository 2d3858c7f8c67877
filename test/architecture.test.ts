/**
 * The layout's rules, checked on the code itself: no import cycles anywhere in src/, the layering that
 * eslint.config.js enforces fires on a forbidden import (a deliberately bad file per rule, linted in memory), and
 * the schema is the type: no request body, query or params is cast (the lint rule fires on each form, and no file
 * of src/ has one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Relative imports of a file (type-only ones included: a cycle of types is still a tangle for the reader). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'(\.{1,2}\/[^']+)'/g)];
  return specifiers.map((match) => resolve(dirname(file), match[1]!));
}

/** Strongly connected components with more than one file (Tarjan), i.e. the import cycles. */
function findCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowLinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lowLinks.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        lowLinks.set(node, Math.min(lowLinks.get(node)!, lowLinks.get(next)!));
      } else if (onStack.has(next)) {
        lowLinks.set(node, Math.min(lowLinks.get(node)!, indices.get(next)!));
      }
    }
    if (lowLinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component);
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return cycles;
}

describe('the import graph of src/', () => {
  it('has no import cycles', () => {
    const files = sourceFiles(join(ROOT, 'src'));
    const graph = new Map(files.map((file) => [file, relativeImports(file)]));
    const cycles = findCycles(graph).map((cycle) => cycle.map((file) => relative(ROOT, file)).sort());
    expect(cycles).toEqual([]);
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycles(graph).map((cycle) => cycle.sort())).toEqual([['a', 'b', 'c']]);
  });

  it('keeps src/exchange/ to a handful of files at its top level', () => {
    const top = readdirSync(join(ROOT, 'src/exchange'), { withFileTypes: true }).filter((e) => e.isFile());
    expect(top.length).toBeLessThanOrEqual(5);
  });
});

describe('the layering lint (eslint.config.js)', () => {
  const eslint = new ESLint({ cwd: ROOT });
  const forbidden: Array<[file: string, source: string]> = [
    ['src/protocol/bad.ts', "import { buildApp } from '../server/app.ts';"],
    ['src/protocol/bad.ts', "import type { Kysely } from 'kysely';"],
    ['src/client/bad.ts', "import { openStore } from '../store/create-database.ts';"],
    ['src/exchange/engine/bad.ts', "import type { Kysely } from 'kysely';"],
    ['src/exchange/engine/bad.ts', "import { getLedger } from '../persistence/ledger.ts';"],
    ['src/exchange/model/bad.ts', "import type { Database } from '../../store/schema.ts';"],
    ['src/keys/bad.ts', "import { findSession } from '../console/sessions.ts';"],
    ['src/exchange/capital/bad.ts', "import { buildApp } from '../../server/app.ts';"],
    ['src/server/routes/bad.ts', "import { prepareQuery } from '../../store/prepared-query.ts';"],
    ['src/keys/bad.ts', "import { readFile } from 'fs';"],
    ['src/events/bad.ts', "import type { FastifyInstance } from 'fastify';"],
    ['src/events/bad.ts', "import { WebSocket } from 'ws';"],
    ['src/events/bad.ts', "import { StreamHub } from '../server/streams/stream-hub.ts';"],
    ['src/events/bad.ts', "import { prepareQuery } from '../store/prepared-query.ts';"],
    // One published surface per area: from outside it, only src/<area>/index.ts.
    ['src/server/routes/bad.ts', "import { getLedger } from '../../exchange/persistence/ledger.ts';"],
    ['src/server/routes/bad.ts', "import type { Exchange } from '../../exchange/exchange-service.ts';"],
    ['src/cli/commands/bad.ts', "import { createApiKey } from '../../keys/keys-service.ts';"],
    ['src/console/bad.ts', "import { recordAuditEvent } from '../accounts/audit.ts';"],
    ['src/server/streams/bad.ts', "import { EventSequencer } from '../../events/event-sequencer.ts';"],
    ['src/events/bad.ts', "import { OrderService } from '../exchange/order-service.ts';"],
    ['src/exchange/capital/bad.ts', "import { createUser } from '../../accounts/accounts-service.ts';"],
    ['src/store/bad.ts', "import { getLedger } from '../exchange/persistence/ledger.ts';"],
    // The gateway verifies and forwards; it reaches nothing of the exchange, the console or the server's routes.
    ['src/gateway/bad.ts', "import { createExchange } from '../exchange/index.ts';"],
    ['src/gateway/bad.ts', "import { findSession } from '../console/sessions.ts';"],
    ['src/gateway/bad.ts', "import { buildApp } from '../server/app.ts';"],
    ['src/gateway/bad.ts', "import { consoleRoutes } from '../server/routes/console/index.ts';"],
    ['src/gateway/bad.ts', "import { createKeyCache } from '../keys/key-cache.ts';"],
    ['src/server/bad.ts', "import { gatewayRoutes } from '../gateway/gateway-routes.ts';"],
    ['src/keys/bad.ts', "import { gatewayRoutes } from '../gateway/index.ts';"],
  ];

  it.each(forbidden)('refuses in %s: %s', async (filePath, source) => {
    const [result] = await eslint.lintText(`${source}\nexport const used = [${importedName(source)}];\n`, {
      filePath: join(ROOT, filePath),
    });
    const rules = result!.messages.map((message) => message.ruleId);
    expect(rules).toContain('no-restricted-imports');
  });

  it.each([
    ['src/exchange/engine/ok.ts', "import { mulDiv } from '../model/decimal.ts';"],
    ['src/exchange/persistence/ok.ts', "import { prepareQuery } from '../../store/prepared-query.ts';"],
    ['src/events/sqlite-outbox.ts', "import { prepareQuery } from '../store/prepared-query.ts';"],
    ['src/server/routes/ok.ts', "import { createExchange } from '../../exchange/index.ts';"],
    ['src/cli/commands/ok.ts', "import { createApiKey } from '../../keys/index.ts';"],
    ['src/exchange/capital/ok.ts', "import { getLedger } from '../persistence/ledger.ts';"],
    ['src/events/ok.ts', "import { EventSequencer } from './event-sequencer.ts';"],
    ['src/keys/ok.ts', "import { recordAuditEvent } from '../accounts/index.ts';"],
    ['src/gateway/ok.ts', "import { sendError } from '../server/plugins/error-handler.ts';"],
    ['src/gateway/ok.ts', "import { signedAuthentication } from '../server/plugins/signed-auth.ts';"],
    ['src/gateway/ok.ts', "import { createApiKey } from '../keys/index.ts';"],
    ['src/server/ok.ts', "import { gatewayRoutes } from '../gateway/index.ts';"],
  ])('allows in %s: %s', async (filePath, source) => {
    const [result] = await eslint.lintText(`${source}\nexport const used = [${importedName(source)}];\n`, {
      filePath: join(ROOT, filePath),
    });
    expect(result!.messages.map((message) => message.ruleId)).not.toContain('no-restricted-imports');
  });
});

describe('the schema is the type (src/server/schema-types.ts)', () => {
  const eslint = new ESLint({ cwd: ROOT });
  const restricted = async (filePath: string, source: string): Promise<boolean> => {
    const [result] = await eslint.lintText(source, { filePath: join(ROOT, filePath) });
    return result!.messages.some((message) => message.ruleId === 'no-restricted-syntax');
  };

  it.each([
    [
      'src/server/routes/orders/bad.ts',
      'export const f = (request: { body: unknown }) => request.body as { a: 1 };',
    ],
    [
      'src/server/routes/bad.ts',
      'export const f = (req: { query: unknown }) => req.query as unknown as string;',
    ],
    [
      'src/server/plugins/bad.ts',
      'export const f = (request: { params: unknown }) => request.params as object;',
    ],
    [
      'src/gateway/bad.ts',
      'export const f = (request: { body: unknown }) => (request.body ?? {}) as object;',
    ],
    ['src/server/routes/console/bad.ts', 'export interface CreateThingBody {\n  name: string;\n}'],
    ['src/server/routes/markets/bad.ts', 'export interface TickerQuery {\n  symbol: string;\n}'],
  ])('refuses in %s: %s', async (filePath, source) => {
    expect(await restricted(filePath, source)).toBe(true);
  });

  it.each([
    ['src/server/routes/orders/ok.ts', 'export const f = (request: { body: { a: 1 } }) => request.body;'],
    [
      'src/server/routes/ok.ts',
      'export const f = (request: { body: unknown }) => { const b: unknown = request.body; return b; };',
    ],
    ['src/keys/ok.ts', 'export const f = (input: { body: unknown }) => input.body as object;'],
  ])('allows in %s: %s', async (filePath, source) => {
    expect(await restricted(filePath, source)).toBe(false);
  });

  it('finds no cast of a request part in src/ (the text itself, whatever the lint config says)', () => {
    const cast = /\b(?:request|req)\.(?:body|query|params)\)?\s+as\s/;
    const offenders = sourceFiles(join(ROOT, 'src')).filter((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .some((line) => !/^\s*(\*|\/\/)/.test(line) && cast.test(line)),
    );
    expect(offenders.map((file) => relative(ROOT, file))).toEqual([]);
  });
});

function importedName(source: string): string {
  return /import (?:type )?\{ (\w+) \}/.exec(source)?.[1] ?? 'undefined';
}
