/** `npm run bench`: prints each benchmark's table. `--quick` uses smaller sizes. */
import { benchLocalOps } from './local-ops.js';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  console.log(`Shared Notes benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  await benchLocalOps(quick ? [1_000, 10_000] : [1_000, 10_000, 100_000]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
