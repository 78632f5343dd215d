import { describe, expect, it } from 'vitest';
import { buildCustomRouteTable, type CustomRouteSpec } from './router-hook-points.ts';

const handler: CustomRouteSpec['handler'] = async () => ({ json: null, status: 200 });
const spec = (method: string, path: string): CustomRouteSpec => ({ method, path, handler });
const BUILTINS = [
  { method: 'GET', path: '/api/health' },
  { method: 'GET', path: '/api/collections/:collection/records' },
  { method: 'POST', path: '/api/collections/:collection/records' },
  { method: 'GET', path: '/_/*' },
  { method: 'GET', path: '/' },
  { method: 'ALL', path: '/*' },
];

describe('custom route table', () => {
  it('finds routes by method and path, with {name} and {rest...} values, most specific first', () => {
    const table = buildCustomRouteTable(
      [spec('GET', '/api/hello/{name}'), spec('GET', '/api/hello/world'), spec('POST', '/api/hello/{name}'), spec('GET', '/files/{path...}')],
      BUILTINS,
    );
    expect(table.find('GET', '/api/hello/ann')).toMatchObject({ params: { name: 'ann' }, route: { pattern: { path: '/api/hello/{name}', method: 'GET' } } });
    expect(table.find('GET', '/api/hello/world')?.route.pattern.path).toBe('/api/hello/world');
    expect(table.find('POST', '/api/hello/b%20c')?.params).toEqual({ name: 'b c' });
    expect(table.find('DELETE', '/api/hello/ann')).toBeUndefined();
    expect(table.find('GET', '/api/hello')).toBeUndefined();
    expect(table.find('GET', '/files/a/b.txt')?.params).toEqual({ path: 'a/b.txt' });
    expect(table.find('HEAD', '/api/hello/ann')?.params).toEqual({ name: 'ann' });
  });

  it.each([
    ['GET', '/api/health', 'clashes with the built-in route GET /api/health'],
    ['GET', '/api/collections/{c}/records', 'clashes with the built-in route GET /api/collections/:collection/records'],
    ['POST', '/api/{x}/posts/records', 'clashes with the built-in route POST /api/collections/:collection/records'],
    ['GET', '/_/custom', 'clashes with the built-in route GET /_/*'],
    ['GET', '/_/{path...}', 'clashes with the built-in route GET /_/*'],
    ['GET', '/', 'clashes with the built-in route GET /'],
    ['GET', 'api/x', 'must start with /'],
    ['FETCH', '/api/x', 'is not an HTTP method'],
    ['GET', '/api/{a}/{a}', 'appears twice'],
    ['GET', '/api/{rest...}/x', 'must be the last segment'],
    ['GET', '/api/file-{id}', 'must be a whole path segment'],
  ])('refuses %s %s at load: %s', (method, path, message) => {
    expect(() => buildCustomRouteTable([spec(method, path)], BUILTINS)).toThrow(message);
  });

  it('allows a method or path no built-in takes, and a {rest...} fallback that built-ins take only part of', () => {
    expect(() => buildCustomRouteTable([spec('PUT', '/api/collections/{c}/records'), spec('GET', '/api/stats'), spec('GET', '/{path...}')], BUILTINS)).not.toThrow();
  });

  it('refuses the same route twice, whatever its parameter names', () => {
    expect(() => buildCustomRouteTable([spec('GET', '/api/a/{x}'), spec('GET', '/api/a/{y}')], BUILTINS)).toThrow('is the same route as GET /api/a/{x}');
  });
});
