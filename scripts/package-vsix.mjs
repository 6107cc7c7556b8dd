// Builds minified bundles and packages the extension as shared-notes.vsix with @vscode/vsce 3.9.2
// (a devDependency, so it works offline; 4.x and 3.8.1 need Node 22). The marketplace page is
// media/MARKETPLACE.md (for people installing the extension), not the developer README. Checks that
// the VSIX holds only what it should and prints its size.
//   node scripts/package-vsix.mjs [--out FILE]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? process.argv[outArg + 1] : join(root, 'shared-notes.vsix');

/** What the VSIX may contain (besides vsce's own manifest files). */
const ALLOWED = [
  /^extension\/dist\/extension\.js$/,
  /^extension\/dist\/automerge_wasm_bg\.wasm$/,
  /^extension\/media\/[\w./-]+\.(svg|png|md)$/,
  /^extension\/(readme|changelog)\.md$/i,
  /^extension\/LICENSE(\.txt)?$/,
  /^extension\/package\.json$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
];
const REQUIRED = ['extension/dist/extension.js', 'extension/dist/automerge_wasm_bg.wasm', 'extension/package.json', 'extension/media/icon.png'];

if (!existsSync(join(root, 'media/icon.png'))) {
  console.error('media/icon.png is missing: the VSIX needs a 128×128 PNG icon (media/icon.svg rendered).');
  process.exit(1);
}

run(process.execPath, [join(root, 'scripts/build.mjs'), '--minify']);
const vsce = join(dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');
run(process.execPath, [
  vsce, 'package',
  '--no-dependencies', // everything is bundled into dist/extension.js
  '--no-rewrite-relative-links', // no repository URL to rewrite README links against; they work inside VS Code
  '--allow-missing-repository',
  '--readme-path', 'media/MARKETPLACE.md',
  '--out', out,
]);

const names = zipEntries(readFileSync(out));
const unexpected = names.filter((n) => !ALLOWED.some((re) => re.test(n)));
const missing = REQUIRED.filter((n) => !names.includes(n));
if (unexpected.length > 0 || missing.length > 0) {
  console.error(`${relative(root, out)} has the wrong contents.\n  unexpected: ${unexpected.join(', ') || '-'}\n  missing: ${missing.join(', ') || '-'}`);
  process.exit(1);
}
const size = statSync(out).size;
console.log(`${relative(process.cwd(), out) || out}: ${(size / 1024 / 1024).toFixed(2)} MB (${size} bytes), ${names.length} files:`);
for (const n of names) console.log(`  ${n}`);

function run(cmd, args) {
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
}

/** File names from a zip's central directory (no dependency needed for a listing). */
function zipEntries(zip) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${out} is not a zip file`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('damaged zip central directory');
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    names.push(zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
    at += 46 + nameLength + extra + comment;
  }
  return names;
}
