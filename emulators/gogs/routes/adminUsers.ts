import { reqAdmin } from '../auth.js';
import { bind } from '../binding.js';
import type { ApiContext } from '../context.js';
import { CreateUserOption, EditUserOption } from '../forms.js';
import { usernameNotAllowed } from '../names.js';
import { userJson } from '../render.js';
import type { Router } from '../router.js';

/** Spec §2.4–§2.6. The admin guard runs first, then binding, then the lookup. */
export function registerAdminUserRoutes(r: Router): void {
  r.add('POST', '/admin/users', createUser);
  r.add('PATCH', '/admin/users/:username', editUser);
  r.add('DELETE', '/admin/users/:username', deleteUser);
}

function createUser(c: ApiContext) {
  if (!reqAdmin(c)) return;
  const form = bind(c, CreateUserOption);
  if (!form) return;
  // No login sources exist in the emulator, so any non-zero id is unknown.
  const sourceId = form.int('source_id');
  if (sourceId !== 0) return c.errorStatus(422, `login source does not exist: map[id:${sourceId}]`);
  const name = form.string('username');
  const notAllowed = usernameNotAllowed(name);
  if (notAllowed) return c.errorStatus(422, notAllowed);
  if (c.store.accountByName(name)) return c.errorStatus(422, `user already exists: map[name:${name}]`);
  const email = form.string('email').trim().toLowerCase();
  if (c.store.isEmailUsed(email)) return c.errorStatus(422, `email has been used: map[email:${email}]`);
  const user = c.store.createUser({
    name,
    fullName: form.string('full_name'),
    email,
    password: form.string('password'),
    sourceId,
    loginName: form.string('login_name'),
  });
  // v0.14.3 echoes the raw full_name here (spec §2, §11).
  c.json(201, userJson(c.baseUrl, user, { showEmail: true, rawFullName: true }));
}

/** PUT semantics: omitted strings clear the stored values (spec §2.5). */
function editUser(c: ApiContext) {
  if (!reqAdmin(c)) return;
  const form = bind(c, EditUserOption);
  if (!form) return;
  const user = c.store.accountByName(c.param(':username'));
  if (!user) return c.notFound();
  const sourceId = form.int('source_id');
  if (sourceId !== 0) return c.errorStatus(422, `login source does not exist: map[id:${sourceId}]`);
  const email = form.string('email');
  // Case-sensitive "changed?" test, case-insensitive "used?" test: a case-only change collides with itself.
  if (email !== user.email && c.store.isEmailUsed(email)) {
    return c.errorStatus(422, `email has been used: map[email:${email}]`);
  }
  user.sourceId = sourceId;
  user.loginName = form.string('login_name');
  user.fullName = [...form.string('full_name')].slice(0, 255).join('');
  user.email = email;
  user.website = form.string('website');
  user.location = form.string('location');
  const password = form.string('password');
  if (password !== '') c.store.setPassword(user, password);
  const active = form.optBool('active');
  if (active !== undefined) user.isActive = active;
  const admin = form.optBool('admin');
  if (admin !== undefined) user.isAdmin = admin;
  const gitHook = form.optBool('allow_git_hook');
  if (gitHook !== undefined) user.allowGitHook = gitHook;
  const importLocal = form.optBool('allow_import_local');
  if (importLocal !== undefined) user.allowImportLocal = importLocal;
  const maxRepos = form.optInt('max_repo_creation');
  if (maxRepos !== undefined) user.maxRepoCreation = Math.max(maxRepos, -1);
  user.updatedAt = c.store.now();
  c.json(200, userJson(c.baseUrl, user, { showEmail: true }));
}

function deleteUser(c: ApiContext) {
  if (!reqAdmin(c)) return;
  const user = c.store.accountByName(c.param(':username'));
  if (!user) return c.notFound();
  if (c.store.reposOf(user.id).length > 0) {
    return c.errorStatus(422, `user still has repository ownership: map[userID:${user.id}]`);
  }
  if (c.store.orgUsers.some((row) => row.uid === user.id)) {
    return c.errorStatus(422, `user still has organization membership: map[userID:${user.id}]`);
  }
  c.store.deleteAccount(user.id);
  c.status(204);
}
