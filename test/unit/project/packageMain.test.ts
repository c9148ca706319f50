import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { glob } from 'tinyglobby';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; type: string };

// The Functions worker expands `main` as a glob; a wrong glob deploys an app with no functions and no error.
async function expandMain(base: string): Promise<string[]> {
  return (await glob(pkg.main, { cwd: base })).sort();
}

describe('package.json main', () => {
  it('is an ESM package whose main glob names the built functions/ folder', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.main).toBe('dist/functions/*.js');
  });

  it('matches exactly the built files of functions/', async () => {
    const sources = readdirSync(join(root, 'functions')).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.d.ts'),
    );
    const expected = sources.map((f) => `dist/functions/${f.replace(/\.ts$/, '.js')}`).sort();
    for (const file of expected) {
      expect(existsSync(join(root, file)), `${file} is missing: run npm run build first`).toBe(true);
    }
    expect(await expandMain(root)).toEqual(expected);
  });

  it('matches top-level function files only, never helpers, maps or other folders', async () => {
    const base = mkdtempSync(join(tmpdir(), 'main-glob-'));
    try {
      const files = [
        'dist/functions/graphWebhook.js',
        'dist/functions/graphWebhook.js.map',
        'dist/functions/nested/helper.js',
        'dist/src/sync/planSync.js',
        'functions/graphWebhook.ts',
      ];
      for (const file of files) {
        mkdirSync(dirname(join(base, file)), { recursive: true });
        writeFileSync(join(base, file), '');
      }
      expect(await expandMain(base)).toEqual(['dist/functions/graphWebhook.js']);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('built function files load under plain Node ESM (the @azure/functions named-export trap)', async () => {
    const built = await expandMain(root);
    for (const file of built) {
      // A child process, because vitest's own CJS interop hides the trap (spec/tooling.md §2).
      const script = `await import(${JSON.stringify(`./${relative(root, join(root, file))}`)});`;
      expect(() =>
        execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: 'pipe' }),
      ).not.toThrow();
    }
  });
});
