/**
 * Runs inside the VS Code extension host (bundled by ../run.ts). A tiny sequential runner: these
 * tests prove the wiring; the logic behind it is unit-tested in plain Node (test/extension).
 */
import { tests } from './extension.test.js';

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const [name, test] of tests) {
    const started = Date.now();
    try {
      await test();
      console.log(`ok - ${name} (${Date.now() - started} ms)`);
    } catch (err) {
      failures.push(name);
      console.error(`not ok - ${name}\n${err instanceof Error ? err.stack : String(err)}`);
    }
  }
  console.log(`${tests.length - failures.length}/${tests.length} passed`);
  if (failures.length > 0) throw new Error(`${failures.length} extension-host test(s) failed: ${failures.join(', ')}`);
}
