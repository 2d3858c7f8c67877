import { describe, expect, it } from 'vitest';

import { parseRouteFile, RouteFileError, type RouteFile } from './route-file.ts';

const route = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  method: 'GET',
  path: '/v1/things',
  instruction: 'thingsQuery',
  permission: 'read',
  ...over,
});

function problemsOf(value: unknown, exchange = true): string[] {
  try {
    parseRouteFile(value, { exchange });
  } catch (error) {
    expect(error).toBeInstanceOf(RouteFileError);
    return (error as RouteFileError).problems;
  }
  throw new Error('the file was accepted');
}

describe('parseRouteFile()', () => {
  it("reads the issue's example with defaults: replay for every method but GET, the signed rate limit", () => {
    const file: RouteFile = parseRouteFile(
      {
        permissions: ['transfers'],
        routes: [
          route(),
          { method: 'POST', path: '/v1/transfers', instruction: 'transferExecute', permission: 'transfers' },
          {
            method: 'DELETE',
            path: '/v1/things/:id',
            instruction: 'thingCancel',
            permission: 'trade',
            upstream: 'http://127.0.0.1:9001/',
          },
        ],
      },
      { exchange: true },
    );
    expect(file.permissions).toEqual(['transfers']);
    expect(file.routes).toEqual([
      { ...route(), replay: false, rateLimit: 'signed' },
      {
        method: 'POST',
        path: '/v1/transfers',
        instruction: 'transferExecute',
        permission: 'transfers',
        replay: true,
        rateLimit: 'signed',
      },
      {
        method: 'DELETE',
        path: '/v1/things/:id',
        instruction: 'thingCancel',
        permission: 'trade',
        replay: true,
        rateLimit: 'signed',
        upstream: 'http://127.0.0.1:9001',
      },
    ]);
  });

  it('takes explicit replay and rate-limit classes', () => {
    const file = parseRouteFile(
      {
        rateLimits: { bulk: 10 },
        routes: [
          route({ replay: true, rateLimit: 'bulk' }),
          route({ path: '/v1/h', instruction: 'h', rateLimit: 'history' }),
        ],
      },
      { exchange: true },
    );
    expect(file.rateLimits).toEqual({ bulk: 10 });
    expect(file.routes.map((r) => [r.replay, r.rateLimit])).toEqual([
      [true, 'bulk'],
      [false, 'history'],
    ]);
  });

  it('refuses an unknown permission and says how to declare it', () => {
    expect(problemsOf({ routes: [route({ permission: 'transfers' })] })).toEqual([
      'route GET /v1/things: unknown permission "transfers"; use read, trade, withdraw or declare it in "permissions"',
    ]);
  });

  it('refuses a duplicate route, also when only the parameter names differ', () => {
    expect(
      problemsOf({
        routes: [
          route({ path: '/v1/things/:id', instruction: 'a' }),
          route({ path: '/v1/things/:key', instruction: 'b' }),
          route({ method: 'DELETE', path: '/v1/things/:id', instruction: 'c' }),
        ],
      }),
    ).toEqual(['route GET /v1/things/:key duplicates route GET /v1/things/:id']);
  });

  it('refuses two routes with one instruction: their signatures would be interchangeable', () => {
    const problems = problemsOf({ routes: [route(), route({ method: 'POST' })] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('reuses instruction thingsQuery of GET /v1/things');
  });

  it.each([
    ['/console/api/keys', "clashes with Signet's own routes under /console"],
    ['/docs', "clashes with Signet's own routes under /docs"],
    ['/healthz', "clashes with Signet's own routes under /healthz"],
    ['/metrics', "clashes with Signet's own routes under /metrics"],
    ['/gateway/v1/keys', "clashes with Signet's own routes under /gateway"],
    ['/settings/api-keys', "clashes with Signet's own routes under /settings"],
    ['/api/v1/capital', "clashes with the built-in exchange's routes under /api"],
    ['/wapi/v1/anything', "clashes with the built-in exchange's routes under /wapi"],
    ['/favicon.svg', 'the first segment must not be a file name'],
    ['/', 'segment "" must be'],
    ['/:any', 'the first segment must be fixed'],
    ['/v1/things/', 'segment "" must be'],
    ['/v1/../console', 'segment ".." must be'],
    ['/v1/a b', 'segment "a b" must be'],
    ['/v1/:id/:id', 'parameter :id appears twice'],
    ['v1/things', 'path must be a string starting with /'],
  ])('refuses the path %s', (path, problem) => {
    const problems = problemsOf({ routes: [route({ path })] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });

  it('frees /api and /wapi and Backpack’s instruction names when the exchange is off', () => {
    const value = { routes: [route({ path: '/api/v1/capital', instruction: 'balanceQuery' })] };
    expect(problemsOf(value, true)).toEqual([
      "route GET /api/v1/capital: clashes with the built-in exchange's routes under /api (SIGNET_EXCHANGE=off frees them)",
      "route GET /api/v1/capital: instruction balanceQuery is one of the built-in exchange's; name your own, or set SIGNET_EXCHANGE=off",
    ]);
    expect(parseRouteFile(value, { exchange: false }).routes[0]?.path).toBe('/api/v1/capital');
  });

  it.each([
    [{ permissions: ['read'] }, 'permission read is built in'],
    [{ permissions: ['Transfers'] }, 'permission "Transfers" must be a lowercase letter'],
    [{ permissions: ['a,b'] }, 'permission "a,b" must be'],
    [{ permissions: ['x', 'x'] }, 'permission x is declared twice'],
    [{ permissions: Array.from({ length: 33 }, (_, i) => `p${i}`) }, 'at most 32 custom permissions'],
    [{ rateLimits: { signed: 5 } }, 'rate-limit class "signed" must be'],
    [{ rateLimits: { bulk: 0 } }, 'rate-limit class bulk must be a whole number'],
    [{ permision: ['x'] }, 'unknown field "permision"'],
  ])('refuses %j', (extra, problem) => {
    const problems = problemsOf({ routes: [route()], ...extra });
    expect(problems.some((p) => p.includes(problem))).toBe(true);
  });

  it.each([
    [{ method: 'get' }, 'method must be one of GET, POST, PUT, PATCH, DELETE'],
    [{ method: 'HEAD' }, 'method must be one of'],
    [{ instruction: 'thing&admin=1' }, 'instruction must be a name'],
    [{ instruction: undefined }, 'instruction must be a name'],
    [{ permission: undefined }, 'permission is required'],
    [{ replay: 'yes' }, 'replay must be true or false'],
    [{ rateLimit: 'bulk' }, 'rateLimit "bulk" must be signed, history or a class declared'],
    [{ upstream: 'ftp://host' }, 'must be http:// or https://'],
    [{ upstream: 'http://user:pass@host' }, 'must not carry credentials'],
    [{ upstream: 'http://host/?a=1' }, 'must not have a query'],
    [{ permision: 'read' }, 'unknown field "permision"'],
  ])('refuses a route with %j', (over, problem) => {
    const problems = problemsOf({ routes: [route(over)] });
    expect(problems.some((p) => p.includes(problem))).toBe(true);
  });

  it('lists every problem at once, and the message names the file', () => {
    try {
      parseRouteFile(
        { routes: [route({ permission: 'nope' }), route({ path: '/docs', instruction: 'x' })] },
        { exchange: true, source: 'routes.json' },
      );
      throw new Error('accepted');
    } catch (error) {
      expect((error as Error).message).toBe(
        'Invalid gateway routes in routes.json: ' +
          'route GET /v1/things: unknown permission "nope"; use read, trade, withdraw or declare it in "permissions"; ' +
          "route GET /docs: clashes with Signet's own routes under /docs",
      );
    }
  });

  it.each([[null], [[]], ['text'], [{}], [{ routes: [] }], [{ routes: [42] }]])(
    'refuses %j as a file',
    (value) => {
      expect(problemsOf(value).length).toBeGreaterThan(0);
    },
  );
});
