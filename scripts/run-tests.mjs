// Runs every test/**/*.test.ts with Node's test runner (Node 20's --test does not expand globs).
// Suites that need a special environment have their own scripts: test/vscode (npm run test:vscode)
// and test/editor-e2e (npm run test:editor). Arguments narrow the run: `npm run test:unit -- test/core`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SEPARATE = new Set(['vscode', 'editor-e2e', 'fixtures']);
const root = process.cwd();
const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!SEPARATE.has(name)) collect(path, out);
    } else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = (roots.length ? roots : ['test']).flatMap((r) => (statSync(r).isDirectory() ? collect(r, []) : [r]));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...passThrough, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
