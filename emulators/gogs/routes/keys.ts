import { reqAdmin, reqToken } from '../auth.js';
import { type BoundForm, bind } from '../binding.js';
import type { ApiContext } from '../context.js';
import { CreateKeyOption } from '../forms.js';
import type { Account } from '../model.js';
import { keyJson } from '../render.js';
import type { Router } from '../router.js';
import { checkPublicKey } from '../sshKey.js';

/** Spec §2.8: SSH keys. */
export function registerKeyRoutes(r: Router): void {
  r.add('POST', '/admin/users/:username/keys', adminCreateKey);
  r.add('GET', '/users/:username/keys', listKeys);
  r.add('GET', '/user/keys', listMyKeys);
  r.add('POST', '/user/keys', createMyKey);
  r.add('GET', '/user/keys/:id', getKey);
  r.add('DELETE', '/user/keys/:id', deleteKey);
}

function keyId(c: ApiContext): number {
  const raw = c.param(':id');
  return /^[+-]?\d+$/.test(raw) ? Number(raw) : 0;
}

function adminCreateKey(c: ApiContext) {
  if (!reqAdmin(c)) return;
  const form = bind(c, CreateKeyOption);
  if (!form) return;
  const owner = c.store.accountByName(c.param(':username'));
  if (!owner) return c.notFound();
  createKey(c, form, owner);
}

function createMyKey(c: ApiContext) {
  if (!reqToken(c) || !c.user) return;
  const form = bind(c, CreateKeyOption);
  if (!form) return;
  createKey(c, form, c.user);
}

function createKey(c: ApiContext, form: BoundForm, owner: Account) {
  const checked = checkPublicKey(form.string('key'));
  if (!checked.ok) return c.errorStatus(422, checked.error);
  // Exact content match, like Gogs: the same key with another comment is a different key.
  if ([...c.store.keys.values()].some((k) => k.content === checked.content)) {
    return c.errorStatus(422, 'Key content has been used as non-deploy key');
  }
  const title = form.string('title');
  if (c.store.keysOf(owner.id).some((k) => k.title === title)) {
    return c.errorStatus(422, 'Key title has been used');
  }
  const key = c.store.addKey(owner.id, title, checked.content);
  c.json(201, keyJson(c.baseUrl, key));
}

function listMyKeys(c: ApiContext) {
  if (!reqToken(c) || !c.user) return;
  c.json(
    200,
    c.store.keysOf(c.user.id).map((k) => keyJson(c.baseUrl, k)),
  );
}

function listKeys(c: ApiContext) {
  if (!reqToken(c)) return;
  const owner = c.store.accountByName(c.param(':username'));
  if (!owner) return c.notFound();
  c.json(
    200,
    c.store.keysOf(owner.id).map((k) => keyJson(c.baseUrl, k)),
  );
}

/** Any token holder may read any key by id (spec §2.8). */
function getKey(c: ApiContext) {
  if (!reqToken(c)) return;
  const key = c.store.keys.get(keyId(c));
  if (!key) return c.notFound();
  c.json(200, keyJson(c.baseUrl, key));
}

/** Owner or site admin; an unknown id is a silent 204. */
function deleteKey(c: ApiContext) {
  if (!reqToken(c) || !c.user) return;
  const key = c.store.keys.get(keyId(c));
  if (!key) return c.status(204);
  if (!c.user.isAdmin && key.ownerId !== c.user.id) {
    return c.errorStatus(403, 'You do not have access to this key.');
  }
  c.store.keys.delete(key.id);
  c.status(204);
}
