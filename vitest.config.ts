import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    // Probes Chromium and PostgreSQL once; their tests are skipped (one line says why) or, with
    // SIGNET_TEST_REQUIRE=all, the run fails.
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // No built-in market makers unless a test asks for them (test/sandbox*.test.ts): most tests count on empty
    // books. Inherited by every `signet serve` a test spawns.
    env: { SIGNET_LIQUIDITY: 'off' },
  },
});
