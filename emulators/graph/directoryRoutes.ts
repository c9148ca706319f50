import { type Ctx, type Emulator, ROLES, type Route } from './context.js';
import { sendEmpty, sendJson } from './http.js';
import { pageOf, parseSelect, project, rejectUnsupportedOptions } from './odata.js';
import { defaultsFor, GROUP_PROPS, objectRow, USER_PROPS } from './shapes.js';
import type { ObjectKind } from './types.js';

const ALL_PROPS = [...new Set([...USER_PROPS, ...GROUP_PROPS])];

function deletedList(em: Emulator, ctx: Ctx, kind: ObjectKind): void {
  rejectUnsupportedOptions(ctx.url, ['$select', '$top', '$skiptoken']);
  const select = parseSelect(ctx.url, ALL_PROPS, kind);
  const rows = em.directory
    .listDeleted(kind)
    .map((o) => project(objectRow(o, true), select, [...defaultsFor(o), 'deletedDateTime']));
  sendJson(ctx.res, 200, pageOf(em, ctx, rows, `directory/deletedItems/microsoft.graph.${kind}`, 100));
}

export function directoryRoutes(em: Emulator): Route[] {
  const read = [...new Set([...ROLES.userRead, ...ROLES.groupRead])];
  const write = [...new Set([...ROLES.userWrite, ...ROLES.groupWrite])];
  const r = (method: string, template: string, roles: string[], handle: (ctx: Ctx) => void): Route => ({
    method,
    template,
    auth: 'graph',
    roles,
    handle,
  });
  return [
    r('GET', '/v1.0/directory/deletedItems/microsoft.graph.user', ROLES.userRead, (ctx) =>
      deletedList(em, ctx, 'user'),
    ),
    r('GET', '/v1.0/directory/deletedItems/microsoft.graph.group', ROLES.groupRead, (ctx) =>
      deletedList(em, ctx, 'group'),
    ),
    r('GET', '/v1.0/directory/deletedItems/{id}', read, (ctx) => {
      const o = em.directory.findDeleted(ctx.params.id ?? '');
      sendJson(ctx.res, 200, {
        '@odata.context': `${em.baseUrl}/v1.0/$metadata#directory/deletedItems/$entity`,
        ...project(objectRow(o, true), parseSelect(ctx.url, ALL_PROPS, o.kind), [
          ...defaultsFor(o),
          'deletedDateTime',
        ]),
      });
    }),
    r('POST', '/v1.0/directory/deletedItems/{id}/restore', write, (ctx) => {
      const o = em.directory.restore(ctx.params.id ?? '');
      sendJson(ctx.res, 200, {
        '@odata.context': `${em.baseUrl}/v1.0/$metadata#directoryObjects/$entity`,
        ...project(objectRow(o, true), null, defaultsFor(o)),
      });
    }),
    r('DELETE', '/v1.0/directory/deletedItems/{id}', write, (ctx) => {
      const o = em.directory.findDeleted(ctx.params.id ?? '');
      em.directory.purge(o.id);
      sendEmpty(ctx.res, 204);
    }),
    r('GET', '/v1.0/domains', read, (ctx) => {
      sendJson(ctx.res, 200, {
        '@odata.context': `${em.baseUrl}/v1.0/$metadata#domains`,
        value: em.directory.domains.map((d, i) => ({
          id: d,
          authenticationType: 'Managed',
          isDefault: i === 0,
          isInitial: d.endsWith('.onmicrosoft.com'),
          isRoot: true,
          isVerified: true,
          supportedServices: ['Email', 'OfficeCommunicationsOnline'],
        })),
      });
    }),
    r('GET', '/v1.0/organization', read, (ctx) => {
      sendJson(ctx.res, 200, {
        '@odata.context': `${em.baseUrl}/v1.0/$metadata#organization`,
        value: [
          {
            id: em.directory.tenantId,
            displayName: em.tenant.displayName,
            tenantType: 'AAD',
            verifiedDomains: em.directory.domains.map((d, i) => ({
              name: d,
              isDefault: i === 0,
              isInitial: d.endsWith('.onmicrosoft.com'),
              type: 'Managed',
              capabilities: 'Email, OfficeCommunicationsOnline',
            })),
          },
        ],
      });
    }),
  ];
}
