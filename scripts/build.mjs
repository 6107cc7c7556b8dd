// Bundles the extension and the CLI into CJS files under dist/, with Automerge's WASM beside them.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, chmodSync } from 'node:fs';
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
  });
  if (entry.banner) chmodSync(join(dist, `${entry.out}.js`), 0o755);
}

const wasm = join(root, 'node_modules/@automerge/automerge/dist/mjs/wasm_bindgen_output/nodejs/automerge_wasm_bg.wasm');
copyFileSync(wasm, join(dist, 'automerge_wasm_bg.wasm'));
console.log(`built ${entries.map((e) => e.out).join(', ')} + automerge_wasm_bg.wasm`);
