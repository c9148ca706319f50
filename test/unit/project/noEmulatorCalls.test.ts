import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('product code', () => {
  it('never calls the emulators’ control endpoints nor imports the emulators (DESIGN §2, §6)', () => {
    const offenders = ['src', 'functions']
      .flatMap((dir) => sources(join(root, dir)))
      .filter((file) => /_emulator\/|from ['"][./]*\/?emulators\//.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => file.slice(root.length + 1))).toEqual([]);
  });
});
