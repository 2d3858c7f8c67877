/**
 * The optional parts of the suite as the tests see them (probed once per run by test/helpers/global-setup.ts):
 * each constant says whether its part is there and where (`NGINX.where` is the executable to start), and
 * `skipWithout()` reports the current test as skipped, with the reason, when it is not.
 *
 * Use `describe.skipIf(!NGINX.available)` where the whole block needs a part (its beforeAll then never runs),
 * and `skipWithout(POSTGRES)` inside a test or a beforeEach (createPostgresDatabase() does this, so every
 * `DIALECTS` loop skips its PostgreSQL variant by itself). Start programs by their `where`, never by a fixed path
 * or a bare command name: the probe found them through the same PATH or variable the run was given.
 */
import { inject } from 'vitest';
import { getCurrentTest } from 'vitest/suite';

import type { ProvidedRequirements } from './global-setup.ts';
import type { RequirementStatus } from './requirements-probe.ts';

function provided(): ProvidedRequirements {
  const value = inject('requirements');
  if (!value) {
    throw new Error(
      'The test requirements were not probed: run the tests with the repository config (vitest.config.ts, globalSetup test/helpers/global-setup.ts)',
    );
  }
  return value;
}

const REQUIREMENTS = provided();

export const CHROMIUM: RequirementStatus = REQUIREMENTS.statuses.chromium;
export const NGINX: RequirementStatus = REQUIREMENTS.statuses.nginx;
export const REDIS_SERVER: RequirementStatus = REQUIREMENTS.statuses['redis-server'];
export const OPENSSL: RequirementStatus = REQUIREMENTS.statuses.openssl;
export const PYTHON: RequirementStatus = REQUIREMENTS.statuses.python;
export const POSTGRES: RequirementStatus = REQUIREMENTS.statuses.postgres;
export const CHROMIUM_PATH: string = CHROMIUM.where;
export const PG_TEST_URL: string = REQUIREMENTS.postgresUrl;

/**
 * Skips the running test when `requirement` is missing. Works from a test body or a beforeEach hook; a
 * beforeAll has no current test, so there it throws with the reason (use describe.skipIf around such a block).
 */
export function skipWithout(requirement: RequirementStatus): void {
  if (requirement.available) return;
  const test = getCurrentTest();
  if (!test) {
    throw new Error(
      `${requirement.problem}: skipWithout() can skip only from a test or a beforeEach; wrap a block that needs it in describe.skipIf(!${requirement.name.toUpperCase()}.available)`,
    );
  }
  test.context.skip(requirement.skipNote);
}
