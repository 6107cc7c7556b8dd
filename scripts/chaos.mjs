// `npm run chaos`: the reliability and security suite (test/chaos) at full size, one scenario at a
// time so their timings do not disturb each other; each prints its figures (docs/RELIABILITY.md).
// `npm test` runs the same files at their short size. CHAOS_SEED=<n> replays the fuzzing.
import { spawnSync } from 'node:child_process';

const result = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'test/chaos', '--test-concurrency=1', '--test-reporter=spec', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, CHAOS_FULL: '1' },
});
process.exit(result.status ?? 1);
