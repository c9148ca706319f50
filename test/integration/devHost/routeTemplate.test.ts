import { describe, expect, it } from 'vitest';
import { compareRoutes, compileRoute } from '../../../dev/routeTemplate.js';

describe('compileRoute', () => {
  it('matches literals case-insensitively and ignores a trailing slash', () => {
    const route = compileRoute('graph/notifications');

    expect(route.match('Graph/Notifications')).toEqual({});
    expect(route.match('graph/notifications/')).toEqual({});
    expect(route.match('graph/notification')).toBeUndefined();
  });

  it('captures and decodes parameters', () => {
    expect(compileRoute('users/{objectId}/sync').match('users/a%2Fb/sync')).toEqual({ objectId: 'a/b' });
  });

  it('checks constraints, chained ones included', () => {
    const route = compileRoute('runs/{id:int:min(1)}');

    expect(route.match('runs/12')).toEqual({ id: '12' });
    expect(route.match('runs/0')).toBeUndefined();
    expect(route.match('runs/x')).toBeUndefined();
    expect(compileRoute('u/{id:guid}').match('u/3F0C2A9E-5B7D-4C1E-9F3A-2D6B8E4C1A70')).toBeDefined();
    expect(compileRoute('u/{id:guid}').match('u/nope')).toBeUndefined();
    expect(compileRoute('b/{flag:bool}').match('b/True')).toEqual({ flag: 'True' });
    expect(compileRoute('c/{code:regex(^[a-z]{{2}}$)}').match('c/ab')).toEqual({ code: 'ab' });
    expect(compileRoute('c/{code:regex(^[a-z]{{2}}$)}').match('c/abc')).toBeUndefined();
  });

  it('handles optional parameters and defaults', () => {
    const optional = compileRoute('items/{id:int}/{action?}');
    const withDefault = compileRoute('audit/{page=1}');

    expect(optional.match('items/1')).toEqual({ id: '1' });
    expect(optional.match('items/1/edit')).toEqual({ id: '1', action: 'edit' });
    expect(withDefault.match('audit')).toEqual({ page: '1' });
    expect(withDefault.match('audit/3')).toEqual({ page: '3' });
  });

  it('lets a catch-all take the rest of the path, or nothing', () => {
    const route = compileRoute('files/{*path}');

    expect(route.match('files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(route.match('files')).toEqual({});
  });

  it('matches several parameters in one segment', () => {
    expect(compileRoute('f/{name}.{ext}').match('f/report.final.pdf')).toEqual({
      name: 'report',
      ext: 'final.pdf',
    });
  });

  it('rejects a catch-all that is not last and unknown constraints', () => {
    expect(() => compileRoute('{*rest}/x')).toThrow(/catch-all/);
    expect(() => compileRoute('a/{id:wat}')).toThrow(/unsupported route constraint/);
  });
});

describe('compareRoutes', () => {
  it('puts literal segments before parameters and catch-alls last', () => {
    const routes = ['held/{id}', 'held/{*rest}', 'held/summary', 'held/{id:int}'].map(compileRoute);

    expect(routes.sort(compareRoutes).map((r) => r.template)).toEqual([
      'held/summary',
      'held/{id:int}',
      'held/{id}',
      'held/{*rest}',
    ]);
  });
});
