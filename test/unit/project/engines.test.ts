import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean; optional?: boolean }>;
};

// These machines run Node 20; Azure runs the app on Node 22 (DESIGN §6). Node-22-only releases
// (identity 4.14, storage-queue 12.31+, got 15+, vitest 5) install here with a warning and then fail.
const RUNTIMES = ['20.19.0', '22.12.0'];

describe('package-lock.json', () => {
  it('holds only packages whose engines allow Node 20.19 and Node 22', () => {
    const misfits = Object.entries(lock.packages)
      .filter(([path, pkg]) => path !== '' && !pkg.optional)
      .flatMap(([path, pkg]) => {
        const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
        if (!range) return [];
        return RUNTIMES.filter((version) => !semver.satisfies(version, range)).map(
          (version) => `${path} needs node ${range}, not ${version}`,
        );
      });
    expect(misfits).toEqual([]);
  });
});
