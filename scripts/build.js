#!/usr/bin/env node
/**
 * `npm run build`: compiles src/ and dialogs/ to dist/ with swc (type-stripping only: `npm test`
 * and `npm run typecheck` run tsc), the JavaScript `npm start` runs. `--if-stale` builds only when a source file, a tsconfig or the
 * generated Prisma client is newer than the last build (a few milliseconds when nothing changed),
 * so `npm start` after editing a file never runs old code. Plain JavaScript: it runs before
 * anything is compiled, without a TypeScript loader.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const STAMP = path.join(ROOT, 'dist', '.build-stamp');
const INPUTS = ['src', 'dialogs', 'scripts/build.js'];

function newestMtime(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

function stale() {
  let built;
  try {
    built = fs.statSync(STAMP).mtimeMs;
  } catch {
    return true;
  }
  return INPUTS.some((input) => newestMtime(path.join(ROOT, input)) > built);
}

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);

let swc;
try {
  swc = require(require.resolve('@swc/core', { paths: [ROOT] }));
} catch {
  console.error('build: @swc/core is not installed (a devDependency): run `npm install` without --omit=dev to build dist/');
  process.exit(1);
}

/** The same compiler and options as the tests (jest.config.js), so what runs is what was tested. */
const OPTIONS = { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' }, sourceMaps: false, swcrc: false, configFile: false };

function sources(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(file, out);
    else if ((entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) || entry.name.endsWith('.json')) out.push(file);
  }
  return out;
}

async function build() {
  const started = Date.now();
  const dist = path.join(ROOT, 'dist');
  // A fresh dist/: a source file removed or renamed leaves no stale module behind.
  fs.rmSync(dist, { recursive: true, force: true });
  const files = ['src', 'dialogs'].flatMap((dir) => sources(path.join(ROOT, dir)));
  await Promise.all(
    files.map(async (file) => {
      const target = path.join(dist, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
      fs.mkdirSync(path.dirname(target), { recursive: true });
      // JSON imported by the code (src/pqr/holidays-co.json) is copied as it is.
      if (file.endsWith('.json')) fs.copyFileSync(file, target);
      else fs.writeFileSync(target, (await swc.transformFile(file, OPTIONS)).code);
    }),
  );
  fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  console.log(`build: ${files.length} files compiled to dist/ in ${Date.now() - started} ms`);
}

build().catch((error) => {
  console.error(`build failed: ${error && error.message ? error.message : error}`);
  process.exit(1);
});
