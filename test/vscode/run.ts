/**
 * Extension-host tests in a real VS Code desktop, downloaded by @vscode/test-electron:
 *   npm run test:vscode            (VSCODE_VERSION=1.100.3 by default: the lowest we support)
 * Where VS Code cannot be downloaded (no internet, as on our build machines) it says so and exits 0;
 * test/editor-e2e covers a real editor there (code-server). On Linux without a display, run it
 * under `xvfb-run -a`.
 */
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const version = process.env.VSCODE_VERSION ?? '1.100.3';

async function main(): Promise<number> {
  let vscodeExecutablePath: string;
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode({ version, timeout: 60_000 });
  } catch (err) {
    console.log(`SKIPPED test:vscode: VS Code ${version} could not be downloaded here (${err instanceof Error ? err.message : String(err)}).`);
    console.log('These tests need internet access to update.code.visualstudio.com; npm run test:editor runs a real editor (code-server) offline.');
    return 0;
  }

  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  const out = join(root, 'out/vscode-test');
  mkdirSync(out, { recursive: true });
  // The suite runs inside the extension host, which loads CommonJS: bundle it (vscode stays external).
  await build({
    entryPoints: [join(__dirname, 'suite/index.ts')],
    outfile: join(out, 'suite.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });

  const scratch = mkdtempSync(join(tmpdir(), 'shared-notes-vscode-'));
  const userData = join(scratch, 'user-data');
  const workspace = join(scratch, 'workspace');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(workspace, { recursive: true });
  // Loopback only and no mDNS: tests never touch real networks (STACK.md, network rules).
  writeFileSync(
    join(userData, 'User/settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'sharedNotes.mdns': false, 'sharedNotes.listenAddresses': ['/ip4/127.0.0.1/tcp/0/ws'] }, null, 2),
  );
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: root,
      extensionTestsPath: join(out, 'suite.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', userData, '--skip-welcome', '--skip-release-notes'],
    });
    return 0;
  } catch (err) {
    console.error(`test:vscode failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
