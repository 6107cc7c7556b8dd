// Lint rules, including the layer boundaries of ARCHITECTURE.md ("Invariants"):
// core (pure) <- storage, net <- engine <- extension, cli. The front ends (cli, extension) import
// src/core and src/engine only: what they need from src/net or src/storage (status types, a few
// constants, TrafficMeter, describeFsError) the engine re-exports (engine/types.ts, defaults.ts,
// data-dir.ts, space-peer.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const libp2p = ['libp2p', 'libp2p/*', '@libp2p/*', '@chainsafe/*', '@multiformats/*'];
const io = ['fs', 'fs/*', 'node:fs', 'node:fs/*', 'net', 'node:net', 'child_process', 'node:child_process', 'os', 'node:os', 'path', 'node:path'];
const restrict = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: groups.map((g) => ({ group: g.group, message: g.message ?? message })) }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.tmp/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'src/core is pure: no vscode.' },
      { group: libp2p, message: 'src/core is pure: libp2p lives in src/net.' },
      { group: io, message: 'src/core is pure: disk and network I/O live in src/storage and src/net.' },
      { group: ['**/storage/*', '**/net/*', '**/engine/*', '**/extension/*', '**/cli/*'], message: 'src/core imports nothing above it.' },
    ]),
  },
  {
    files: ['src/storage/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'only src/extension imports vscode.' },
      { group: libp2p, message: 'only src/net imports libp2p.' },
      { group: ['**/net/*', '**/engine/*', '**/extension/*', '**/cli/*'], message: 'src/storage imports only src/core.' },
    ]),
  },
  {
    files: ['src/net/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'only src/extension imports vscode.' },
      { group: ['**/storage/*', '**/engine/*', '**/extension/*', '**/cli/*'], message: 'src/net imports only src/core.' },
    ]),
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'only src/extension imports vscode.' },
      { group: libp2p, message: 'only src/net imports libp2p.' },
      { group: ['**/extension/*', '**/cli/*'], message: 'the engine knows nothing of its front ends.' },
    ]),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'only src/extension imports vscode.' },
      { group: libp2p, message: 'only src/net imports libp2p.' },
      { group: ['**/extension/*'], message: 'the CLI does not import the extension.' },
      { group: ['**/net/*', '**/storage/*'], message: 'front ends go through src/engine (it re-exports the types and constants they need: engine/types.ts, engine/defaults.ts).' },
    ]),
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: restrict([
      { group: libp2p, message: 'only src/net imports libp2p.' },
      { group: ['**/cli/*'], message: 'the extension does not import the CLI.' },
      { group: ['**/net/*', '**/storage/*'], message: 'front ends go through src/engine (it re-exports the types and constants they need: engine/types.ts, engine/defaults.ts).' },
    ]),
  },
);
