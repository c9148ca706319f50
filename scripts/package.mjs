// `npm run package`: the deployable zip for `az functionapp deployment source config-zip` and manual
// deploys (azd builds remotely and does not need it). Holds exactly what production runs: the
// compiled functions and the `src` they import, the production dependency closure of the lockfile,
// host.json and a trimmed package.json whose `main` still matches `dist/functions/*.js`.
// Pure Node (node:zlib deflate and CRC-32): no zip tool on the machine is needed.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUT = join(ROOT, 'dist-package', 'entra-gogs-sync.zip');
/** Never shipped, wherever they turn up outside node_modules. */
const FORBIDDEN = [/(^|\/)local\.settings\.json$/, /\.(pem|key|pfx|p12)$/, /(^|\/)\.env$/, /\.test\.js$/];
const PACKAGE_FIELDS = ['name', 'version', 'description', 'license', 'private', 'type', 'main', 'engines'];

function main(argv) {
  const outAt = argv.indexOf('--out');
  const out = resolve(outAt >= 0 && argv[outAt + 1] ? argv[outAt + 1] : DEFAULT_OUT);
  const staging = mkdtempSync(join(tmpdir(), 'entra-gogs-sync-package-'));
  try {
    const app = join(staging, 'app');
    compile(staging, app);
    writeManifest(app);
    const packages = copyProductionModules(app);
    const files = listFiles(app);
    check(files);
    mkdirSync(dirname(out), { recursive: true });
    const bytes = writeZip(out, app, files);
    const mb = (bytes / 1_048_576).toFixed(1);
    process.stdout.write(
      `${relative(process.cwd(), out) || out}: ${files.length} files, ${packages} packages, ${mb} MB\n`,
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * A production build of its own, so `dist` (with tests, emulators, dev and bench) is neither
 * shipped nor rewritten under tests that read it: only `functions/` and what it imports.
 */
function compile(staging, app) {
  const config = join(staging, 'tsconfig.package.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: {
        rootDir: ROOT,
        outDir: join(app, 'dist'),
        typeRoots: [join(ROOT, 'node_modules', '@types')],
        sourceMap: false,
        incremental: false,
      },
      include: [join(ROOT, 'functions', '**', '*.ts')],
    }),
  );
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', config], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`the production build failed:\n${result.stdout}${result.stderr}`);
  }
}

function writeManifest(app) {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const trimmed = Object.fromEntries(PACKAGE_FIELDS.filter((f) => f in pkg).map((f) => [f, pkg[f]]));
  trimmed.dependencies = pkg.dependencies;
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(trimmed, null, 2)}\n`);
  copyFileSync(join(ROOT, 'host.json'), join(app, 'host.json'));
}

/**
 * What `npm ci --omit=dev` would install, copied from the tree `npm ci` already built: every
 * lockfile package not flagged `dev`. Each package is copied without its own nested
 * `node_modules`, whose production members the lockfile lists on their own.
 */
function copyProductionModules(app) {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  let count = 0;
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '' || entry.dev || entry.link) continue;
    const from = join(ROOT, path);
    if (!existsSync(from)) {
      if (entry.optional || entry.devOptional) continue;
      throw new Error(`${path} is a production dependency but is not installed: run npm ci first`);
    }
    copyTree(from, join(app, path));
    count++;
  }
  return count;
}

function copyTree(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.bin') continue;
    const source = join(from, entry.name);
    if (entry.isDirectory()) copyTree(source, join(to, entry.name));
    else if (entry.isFile()) copyFileSync(source, join(to, entry.name));
  }
}

/** Every file under `dir`, as sorted `/`-separated paths relative to it. */
function listFiles(dir, base = dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(path, base));
    else if (entry.isFile()) files.push(relative(base, path).split(sep).join('/'));
  }
  return files.sort();
}

/** The zip must deploy functions (the `main` glob matches) and must not carry dev or secret files. */
function check(files) {
  const functions = files.filter((f) => /^dist\/functions\/[^/]+\.js$/.test(f));
  if (functions.length === 0)
    throw new Error('no dist/functions/*.js: the app would deploy with no functions');
  const ours = files.filter((f) => !f.startsWith('node_modules/'));
  const stray = ours.filter(
    (f) =>
      !(f === 'host.json' || f === 'package.json' || /^dist\/(functions|src)\//.test(f)) ||
      FORBIDDEN.some((pattern) => pattern.test(f)),
  );
  if (stray.length > 0) throw new Error(`files that must not ship: ${stray.slice(0, 10).join(', ')}`);
  if (files.length >= 0xffff) throw new Error(`${files.length} files: past what a zip without zip64 holds`);
}

// DOS date 1980-01-01 00:00: a fixed stamp makes the zip depend only on the files.
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1;
const UTF8_NAMES = 0x0800;

/** Writes a plain zip (deflate, or stored when that is no smaller); returns its size in bytes. */
function writeZip(out, dir, files) {
  const fd = openSync(out, 'w');
  const central = [];
  let offset = 0;
  const write = (buffer) => {
    writeSync(fd, buffer);
    offset += buffer.length;
  };
  try {
    for (const file of files) {
      const path = join(dir, ...file.split('/'));
      const data = readFileSync(path);
      const mode = statSync(path).mode & 0o777;
      const deflated = deflateRawSync(data, { level: 9 });
      const stored = deflated.length >= data.length;
      const body = stored ? data : deflated;
      const entry = {
        name: Buffer.from(file, 'utf8'),
        method: stored ? 0 : 8,
        crc: crc32(data),
        compressed: body.length,
        size: data.length,
        mode,
        offset,
      };
      write(localHeader(entry));
      write(body);
      central.push(entry);
    }
    const start = offset;
    for (const entry of central) write(centralHeader(entry));
    write(endOfCentralDirectory(central.length, offset - start, start));
  } finally {
    closeSync(fd);
  }
  return offset;
}

function localHeader(e) {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(UTF8_NAMES, 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(DOS_TIME, 10);
  h.writeUInt16LE(DOS_DATE, 12);
  h.writeUInt32LE(e.crc, 14);
  h.writeUInt32LE(e.compressed, 18);
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(0, 28);
  return Buffer.concat([h, e.name]);
}

function centralHeader(e) {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the external attributes carry the file mode
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(UTF8_NAMES, 8);
  h.writeUInt16LE(e.method, 10);
  h.writeUInt16LE(DOS_TIME, 12);
  h.writeUInt16LE(DOS_DATE, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(e.compressed, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(e.name.length, 28);
  h.writeUInt16LE(0, 30); // extra
  h.writeUInt16LE(0, 32); // comment
  h.writeUInt16LE(0, 34); // disk
  h.writeUInt16LE(0, 36); // internal attributes
  h.writeUInt32LE(((0o100000 | e.mode) << 16) >>> 0, 38);
  h.writeUInt32LE(e.offset, 42);
  return Buffer.concat([h, e.name]);
}

function endOfCentralDirectory(count, size, start) {
  const h = Buffer.alloc(22);
  h.writeUInt32LE(0x06054b50, 0);
  h.writeUInt16LE(0, 4);
  h.writeUInt16LE(0, 6);
  h.writeUInt16LE(count, 8);
  h.writeUInt16LE(count, 10);
  h.writeUInt32LE(size, 12);
  h.writeUInt32LE(start, 16);
  h.writeUInt16LE(0, 20);
  return h;
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`npm run package: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
