import type { Row } from './odata.js';
import type { DirectoryObject, GroupRecord, UserRecord } from './types.js';

/** Returned by GET /users without $select (spec §7); accountEnabled, userType, mailNickname need $select. */
export const USER_DEFAULT = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
] as const;

export const USER_PROPS = [
  'id',
  ...USER_DEFAULT,
  'accountEnabled',
  'userType',
  'mailNickname',
  'onPremisesSamAccountName',
  'createdDateTime',
  'deletedDateTime',
] as const;

export const USER_FILTERABLE = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'mailNickname',
  'userPrincipalName',
  'userType',
  'accountEnabled',
  'jobTitle',
  'onPremisesSamAccountName',
];

export const GROUP_PROPS = [
  'id',
  'displayName',
  'description',
  'mailNickname',
  'mail',
  'securityEnabled',
  'mailEnabled',
  'groupTypes',
  'isAssignableToRole',
  'membershipRule',
  'membershipRuleProcessingState',
  'visibility',
  'createdDateTime',
  'deletedDateTime',
] as const;

export const GROUP_DEFAULT = GROUP_PROPS.filter((p) => p !== 'id');

export const GROUP_FILTERABLE = [
  'id',
  'displayName',
  'mailNickname',
  'mail',
  'securityEnabled',
  'mailEnabled',
  'groupTypes',
  'isAssignableToRole',
];

export function userRow(u: UserRecord): Row {
  const { kind: _kind, ...rest } = u;
  return { ...rest, businessPhones: [], mobilePhone: null, officeLocation: null, preferredLanguage: null };
}

export function groupRow(g: GroupRecord): Row {
  const { kind: _kind, members: _members, ...rest } = g;
  return {
    ...rest,
    groupTypes: [...g.groupTypes],
    membershipRuleProcessingState: g.membershipRule ? 'On' : null,
    visibility: g.groupTypes.includes('Unified') ? 'Private' : null,
  };
}

export function odataType(o: DirectoryObject): string {
  return o.kind === 'user' ? '#microsoft.graph.user' : '#microsoft.graph.group';
}

export function objectRow(o: DirectoryObject, typed: boolean): Row {
  const row = o.kind === 'user' ? userRow(o) : groupRow(o);
  return typed ? { '@odata.type': odataType(o), ...row } : row;
}

export function defaultsFor(o: DirectoryObject): readonly string[] {
  return o.kind === 'user' ? USER_DEFAULT : GROUP_DEFAULT;
}
