// Loads a packaged app the way the Functions Node worker does, with plain `node` and nothing from
// the repository: answers `require('@azure/functions-core')` with a stand-in that records what each
// file under package.json's `main` glob registers (as dev/coreModule.ts does for the local host),
// then prints the registrations as JSON. Usage: node probe.mjs <unpacked app dir>
import { readdirSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2] ?? process.cwd();
const functions = [];
const hooks = [];

class Disposable {
  dispose() {}
}

const core = {
  version: '3.10.1-local',
  hostVersion: '4.0.0-local',
  Disposable,
  setProgrammingModel() {},
  getProgrammingModel() {
    return undefined;
  },
  registerFunction(metadata) {
    functions.push({ name: metadata.name, bindings: metadata.bindings });
    return new Disposable();
  },
  registerHook(name) {
    hooks.push(name);
    return new Disposable();
  },
  log() {},
};

Module.prototype.require = new Proxy(Module.prototype.require, {
  apply(original, self, args) {
    return args[0] === '@azure/functions-core' ? core : Reflect.apply(original, self, args);
  },
});

const { main } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const glob = /^(.+)\/\*\.js$/.exec(main);
if (!glob) throw new Error(`main ${main} is not a <folder>/*.js glob`);
const files = readdirSync(join(dir, glob[1]))
  .filter((file) => file.endsWith('.js'))
  .sort();
for (const file of files) await import(pathToFileURL(join(dir, glob[1], file)).href);
process.stdout.write(JSON.stringify({ node: process.version, main, files, functions, hooks }));
