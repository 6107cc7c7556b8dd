/**
 * Bench children bundled by esbuild into `.tmp/<folder>` (ES modules, Automerge left external so
 * its WASM loads as in the product), so nothing is compiled while a child is timed.
 */
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');

/** `entry` (a bench/*.ts path) bundled as `<name>.js`, or `.mjs` with a `require` for CommonJS dependencies (ws needs Node built-ins). */
export async function bundleBenchChild(entry: string, name: string, folder: string, options: { withRequire?: boolean } = {}): Promise<string> {
  const outdir = join(root, '.tmp', folder);
  await rm(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { [name]: entry },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@automerge/automerge'],
    ...(options.withRequire ? { outExtension: { '.js': '.mjs' }, banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } } : {}),
    logLevel: 'warning',
  });
  return join(outdir, `${name}${options.withRequire ? '.mjs' : '.js'}`);
}
