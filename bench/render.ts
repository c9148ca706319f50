import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { writeReport } from './report.js';
import type { BenchDocument } from './run.js';

/** Rewrites the generated section of docs/performance.md from a saved JSON document (argv[2]). */
async function main(): Promise<void> {
  const [input, output = 'docs/performance.md'] = process.argv.slice(2);
  if (!input) throw new Error('usage: node --import tsx bench/render.ts RESULT.json [docs/performance.md]');
  await writeReport(output, JSON.parse(await readFile(input, 'utf8')) as BenchDocument);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
