/**
 * Request structs Gogs v0.14.3 binds (go-gogs-client), in Go field order, with their `binding` tags
 * (spec/gogs-api.md §2–§4, §10).
 */
export type FieldKind = 'string' | 'int' | 'bool' | 'optBool' | 'optInt';

export interface FieldSpec {
  /** Go struct field name: what binding errors report in `fieldNames`. */
  go: string;
  json: string;
  kind: FieldKind;
  rules?: string;
}

export interface FormSpec {
  /** Go struct name, used in JSON type error texts. */
  struct: string;
  fields: FieldSpec[];
}

export const CreateUserOption: FormSpec = {
  struct: 'CreateUserOption',
  fields: [
    { go: 'SourceID', json: 'source_id', kind: 'int' },
    { go: 'LoginName', json: 'login_name', kind: 'string' },
    { go: 'Username', json: 'username', kind: 'string', rules: 'Required;AlphaDashDot;MaxSize(35)' },
    { go: 'FullName', json: 'full_name', kind: 'string', rules: 'MaxSize(100)' },
    { go: 'Email', json: 'email', kind: 'string', rules: 'Required;Email;MaxSize(254)' },
    { go: 'Password', json: 'password', kind: 'string', rules: 'MaxSize(255)' },
    { go: 'SendNotify', json: 'send_notify', kind: 'bool' },
  ],
};

export const EditUserOption: FormSpec = {
  struct: 'EditUserOption',
  fields: [
    { go: 'SourceID', json: 'source_id', kind: 'int' },
    { go: 'LoginName', json: 'login_name', kind: 'string' },
    { go: 'FullName', json: 'full_name', kind: 'string', rules: 'MaxSize(100)' },
    { go: 'Email', json: 'email', kind: 'string', rules: 'Required;Email;MaxSize(254)' },
    { go: 'Password', json: 'password', kind: 'string', rules: 'MaxSize(255)' },
    { go: 'Website', json: 'website', kind: 'string', rules: 'MaxSize(50)' },
    { go: 'Location', json: 'location', kind: 'string', rules: 'MaxSize(50)' },
    { go: 'Active', json: 'active', kind: 'optBool' },
    { go: 'Admin', json: 'admin', kind: 'optBool' },
    { go: 'AllowGitHook', json: 'allow_git_hook', kind: 'optBool' },
    { go: 'AllowImportLocal', json: 'allow_import_local', kind: 'optBool' },
    { go: 'MaxRepoCreation', json: 'max_repo_creation', kind: 'optInt' },
  ],
};

/** v0.14.3: only `Required` by binding; the handler checks the rest (spec §11). */
export const CreateOrgOption: FormSpec = {
  struct: 'CreateOrgOption',
  fields: [
    { go: 'UserName', json: 'username', kind: 'string', rules: 'Required' },
    { go: 'FullName', json: 'full_name', kind: 'string' },
    { go: 'Description', json: 'description', kind: 'string' },
    { go: 'Website', json: 'website', kind: 'string' },
    { go: 'Location', json: 'location', kind: 'string' },
  ],
};

export const EditOrgOption: FormSpec = {
  struct: 'EditOrgOption',
  fields: [
    { go: 'FullName', json: 'full_name', kind: 'string' },
    { go: 'Description', json: 'description', kind: 'string' },
    { go: 'Website', json: 'website', kind: 'string' },
    { go: 'Location', json: 'location', kind: 'string' },
  ],
};

export const CreateTeamOption: FormSpec = {
  struct: 'CreateTeamOption',
  fields: [
    { go: 'Name', json: 'name', kind: 'string', rules: 'Required;AlphaDashDot;MaxSize(30)' },
    { go: 'Description', json: 'description', kind: 'string', rules: 'MaxSize(255)' },
    { go: 'Permission', json: 'permission', kind: 'string' },
  ],
};

export const CreateKeyOption: FormSpec = {
  struct: 'CreateKeyOption',
  fields: [
    { go: 'Title', json: 'title', kind: 'string', rules: 'Required' },
    { go: 'Key', json: 'key', kind: 'string', rules: 'Required' },
  ],
};

export const CreateAccessTokenOption: FormSpec = {
  struct: 'CreateAccessTokenOption',
  fields: [{ go: 'Name', json: 'name', kind: 'string', rules: 'Required' }],
};

export const CreateRepoOption: FormSpec = {
  struct: 'CreateRepoOption',
  fields: [
    { go: 'Name', json: 'name', kind: 'string', rules: 'Required;AlphaDashDot;MaxSize(100)' },
    { go: 'Description', json: 'description', kind: 'string', rules: 'MaxSize(255)' },
    { go: 'Private', json: 'private', kind: 'bool' },
    { go: 'AutoInit', json: 'auto_init', kind: 'bool' },
    { go: 'Gitignores', json: 'gitignores', kind: 'string' },
    { go: 'License', json: 'license', kind: 'string' },
    { go: 'Readme', json: 'readme', kind: 'string' },
  ],
};
