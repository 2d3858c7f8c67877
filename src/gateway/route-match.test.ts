import { describe, expect, it } from 'vitest';

import type { GatewayRoute } from './route-file.ts';
import { isNormalPath, RouteMatcher } from './route-match.ts';

const route = (method: GatewayRoute['method'], path: string, instruction: string): GatewayRoute => ({
  method,
  path,
  instruction,
  permission: 'read',
  replay: method !== 'GET',
  rateLimit: 'signed',
});

describe('RouteMatcher', () => {
  const matcher = new RouteMatcher([
    route('GET', '/v1/things/:id', 'thingQuery'),
    route('GET', '/v1/things/new', 'thingTemplate'),
    route('DELETE', '/v1/things/:id', 'thingCancel'),
    route('GET', '/v1/things/:id/parts/:part', 'partQuery'),
  ]);

  it('matches by method and path, decoding parameters', () => {
    expect(matcher.match('GET', '/v1/things/a%20b')).toEqual({
      route: expect.objectContaining({ instruction: 'thingQuery' }),
      params: { id: 'a b' },
    });
    expect(matcher.match('delete', '/v1/things/7')?.route.instruction).toBe('thingCancel');
    expect(matcher.match('GET', '/v1/things/7/parts/x')?.params).toEqual({ id: '7', part: 'x' });
  });

  it('prefers a fixed segment over a parameter, whatever the file order', () => {
    expect(matcher.match('GET', '/v1/things/new')?.route.instruction).toBe('thingTemplate');
  });

  it.each([
    ['POST', '/v1/things/1'],
    ['GET', '/v1/things/'],
    ['GET', '/v1/things'],
    ['GET', '/V1/things/1'],
    ['GET', '/v1/things/1/'],
    ['GET', '/v1/things/%2e%2e'],
    ['GET', '/v1/things/%E0%A4%A'],
    ['GET', 'v1/things/1'],
  ])('matches nothing for %s %s', (method, path) => {
    expect(matcher.match(method, path)).toBeUndefined();
  });
});

describe('isNormalPath()', () => {
  it.each([
    ['/v1/things', true],
    ['/v1/things/a.b', true],
    ['/v1/%41', true],
    ['/v1/things/%2e%2e', false],
    ['/v1/./x', false],
    ['/v1/x/..', false],
    ['/v1/a\\b', false],
    ['/v1/a b', false],
  ])('%s: %s', (path, normal) => {
    expect(isNormalPath(path)).toBe(normal);
  });
});
