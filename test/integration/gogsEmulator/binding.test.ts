import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, useGogsEmulator } from './harness.js';

const gogs = useGogsEmulator();

const createUser = (raw: string, contentType: string | null = 'application/json') =>
  gogs.call('POST', '/api/v1/admin/users', { token: ADMIN_TOKEN, raw, contentType });

describe('binding validation errors (spec §1.3, §1.4)', () => {
  it('reports every failing field, first failing rule each, with Go field names, as 422', async () => {
    const res = await createUser(
      JSON.stringify({ username: 'bad name!', email: 'x@localhost', full_name: 'x'.repeat(101) }),
    );
    expect(res.status).toBe(422);
    expect(res.contentType).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual([
      { fieldNames: ['Username'], classification: 'AlphaDashDotError', message: 'AlphaDashDot' },
      { fieldNames: ['FullName'], classification: 'MaxSizeError', message: 'MaxSize' },
      { fieldNames: ['Email'], classification: 'EmailError', message: 'Email' },
    ]);
  });

  it('treats an empty body as {} and reports Required in struct field order', async () => {
    const res = await createUser('');
    expect(res.status).toBe(422);
    expect(res.json()).toEqual([
      { fieldNames: ['Username'], classification: 'RequiredError', message: 'Required' },
      { fieldNames: ['Email'], classification: 'RequiredError', message: 'Required' },
    ]);
  });

  it('lets a string of spaces pass Required (then fails AlphaDashDot)', async () => {
    const res = await createUser(JSON.stringify({ username: '   ', email: 'a@b.co' }));
    expect(res.json()).toEqual([
      { fieldNames: ['Username'], classification: 'AlphaDashDotError', message: 'AlphaDashDot' },
    ]);
  });

  it('counts MaxSize in code points', async () => {
    const ok = await createUser(
      JSON.stringify({ username: 'u1', email: 'u1@b.co', full_name: 'é'.repeat(100) }),
    );
    expect(ok.status).toBe(201);
    const tooLong = await createUser(
      JSON.stringify({ username: 'u2', email: 'u2@b.co', full_name: '😀'.repeat(101) }),
    );
    expect(tooLong.json()).toEqual([
      { fieldNames: ['FullName'], classification: 'MaxSizeError', message: 'MaxSize' },
    ]);
  });

  it('applies the unanchored Email rule', async () => {
    const pass = await createUser(JSON.stringify({ username: 'junk', email: 'junk a@b.co junk' }));
    expect(pass.status).toBe(201);
    for (const email of ['not-an-email', 'x@localhost']) {
      const fail = await createUser(JSON.stringify({ username: 'e1', email }));
      expect(fail.json()).toEqual([
        { fieldNames: ['Email'], classification: 'EmailError', message: 'Email' },
      ]);
    }
  });

  it('rejects non-ASCII letters in AlphaDashDot and 36-character names', async () => {
    const umlaut = await createUser(JSON.stringify({ username: 'jürgen', email: 'j@b.co' }));
    expect(umlaut.status).toBe(422);
    const long = await createUser(JSON.stringify({ username: 'a'.repeat(36), email: 'j@b.co' }));
    expect(long.json()).toEqual([
      { fieldNames: ['Username'], classification: 'MaxSizeError', message: 'MaxSize' },
    ]);
  });

  it('ignores unknown keys', async () => {
    const res = await createUser(
      JSON.stringify({ username: 'k1', email: 'k1@b.co', is_admin: true, bogus: 1 }),
    );
    expect(res.status).toBe(201);
  });

  it('answers 400 with a lone DeserializationError for undecodable JSON (rules are not run)', async () => {
    const res = await createUser('{"username": ');
    expect(res.status).toBe(400);
    expect(res.json()).toEqual([{ classification: 'DeserializationError', message: 'unexpected EOF' }]);
  });

  it('answers 400 for a JSON type mismatch, with Go’s message', async () => {
    const res = await createUser(JSON.stringify({ username: 5, email: 'a@b.co' }));
    expect(res.status).toBe(400);
    expect(res.json()).toEqual([
      {
        classification: 'DeserializationError',
        message:
          'json: cannot unmarshal number into Go struct field CreateUserOption.username of type string',
      },
    ]);
  });

  it('answers 415 "Empty Content-Type" for a PATCH without Content-Type', async () => {
    await gogs.createUser('nobody');
    const res = await gogs.call('PATCH', '/api/v1/admin/users/nobody', {
      token: ADMIN_TOKEN,
      raw: '{"email":"nobody@example.com"}',
      contentType: null,
    });
    expect(res.status).toBe(415);
    expect(res.json()).toEqual([{ classification: 'ContentTypeError', message: 'Empty Content-Type' }]);
  });

  it('cannot set pointer fields (active, admin) from a form body', async () => {
    await gogs.createUser('formy');
    const res = await gogs.call('PATCH', '/api/v1/admin/users/formy', {
      token: ADMIN_TOKEN,
      raw: 'email=formy%40example.com&admin=true&active=false',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    const state = await gogs.state();
    expect(state.users.find((u) => u.username === 'formy')).toMatchObject({ isAdmin: false, active: true });
  });

  it('answers 415 for a missing or unsupported Content-Type, without fieldNames', async () => {
    const missing = await createUser('{}', null);
    expect(missing.status).toBe(415);
    expect(missing.json()).toEqual([{ classification: 'ContentTypeError', message: 'Empty Content-Type' }]);
    const xml = await createUser('<x/>', 'application/xml');
    expect(xml.status).toBe(415);
    expect(xml.json()).toEqual([{ classification: 'ContentTypeError', message: 'Unsupported Content-Type' }]);
  });

  it('accepts form-urlencoded bodies (keys are snake case of Go field names)', async () => {
    const res = await createUser(
      'username=formuser&email=form%40example.com&full_name=Form+User',
      'application/x-www-form-urlencoded',
    );
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ username: 'formuser', full_name: 'Form User' });
  });

  it('accepts multipart/form-data bodies', async () => {
    const form = new FormData();
    form.set('username', 'multi');
    form.set('email', 'multi@example.com');
    const res = await fetch(`${gogs.url}/api/v1/admin/users`, {
      method: 'POST',
      headers: { authorization: `token ${ADMIN_TOKEN}` },
      body: form,
    });
    expect(res.status).toBe(201);
  });

  it('runs the admin guard before binding', async () => {
    const res = await gogs.call('POST', '/api/v1/admin/users', { raw: '{', contentType: 'text/plain' });
    expect(res.status).toBe(403);
  });

  it('validates a PATCH body before looking the user up', async () => {
    const invalid = await gogs.admin('PATCH', '/api/v1/admin/users/ghost', { email: 'nope' });
    expect(invalid.status).toBe(422);
    const valid = await gogs.admin('PATCH', '/api/v1/admin/users/ghost', { email: 'ghost@example.com' });
    expect(valid.status).toBe(404);
    expect(valid.text).toBe('');
  });

  it('looks the org up before binding a team body', async () => {
    const res = await gogs.admin('POST', '/api/v1/admin/orgs/ghost/teams', { name: 'bad name!' });
    expect(res.status).toBe(404);
    expect(res.text).toBe('');
  });
});
