// Bundles the extension and the CLI into CJS files under dist/, with Automerge's WASM beside them.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, chmodSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

const entries = [
  { in: 'src/extension/extension.ts', out: 'extension' },
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
].filter((e) => existsSync(join(root, e.in)));

const minify = process.argv.includes('--minify');

// @achingbrain/ssdp (UPnP discovery, via @libp2p/upnp-nat) reads its own package.json through
// createRequire(import.meta.url) when it loads; in a CJS bundle import.meta.url is undefined and
// the file is not there. Inline the two values it wants; fail the build if the code changes.
const SSDP_PACKAGE_READ = "const req = createRequire(import.meta.url);\nconst { name, version } = req('../../package.json');";
const inlineSsdpPackage = {
  name: 'inline-ssdp-package',
  setup(b) {
    b.onLoad({ filter: /@achingbrain[\\/]ssdp[\\/]dist[\\/]src[\\/]ssdp\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(SSDP_PACKAGE_READ)) throw new Error(`${args.path} changed: update inlineSsdpPackage in scripts/build.mjs`);
      const pkg = JSON.parse(readFileSync(join(dirname(args.path), '..', '..', 'package.json'), 'utf8'));
      return { contents: text.replace(SSDP_PACKAGE_READ, `const { name, version } = ${JSON.stringify({ name: pkg.name, version: pkg.version })};`), loader: 'js' };
    });
  },
};
for (const entry of entries) {
  await build({
    absWorkingDir: root,
    entryPoints: { [entry.out]: entry.in },
    outdir: dist,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: !minify,
    minify,
    logLevel: 'warning',
    banner: entry.banner ? { js: entry.banner } : undefined,
    plugins: [inlineSsdpPackage],
  });
  if (entry.banner) chmodSync(join(dist, `${entry.out}.js`), 0o755);
}

const wasm = join(root, 'node_modules/@automerge/automerge/dist/mjs/wasm_bindgen_output/nodejs/automerge_wasm_bg.wasm');
copyFileSync(wasm, join(dist, 'automerge_wasm_bg.wasm'));
console.log(`built ${entries.map((e) => e.out).join(', ')} + automerge_wasm_bg.wasm`);
