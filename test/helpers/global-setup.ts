/**
 * vitest globalSetup (main process, once per run): probes every optional part (requirements-probe.ts), prints one
 * line (at the end of the run) for each part whose tests were skipped, fails the run when SIGNET_TEST_REQUIRE asks
 * for a missing part, and hands the result to the test workers (`inject('requirements')`, read by
 * test/helpers/requirements.ts).
 */
import type { TestProject } from 'vitest/node';

import {
  judgeRequirements,
  parseRequired,
  postgresTestUrl,
  probeRequirements,
  type RequirementName,
  type RequirementStatus,
} from './requirements-probe.ts';

export interface ProvidedRequirements {
  /** Each part's status; a program's `where` is the executable the tests must start. */
  statuses: Record<RequirementName, RequirementStatus>;
  /** The full URL, password included: handed to the workers, never printed. */
  postgresUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    requirements: ProvidedRequirements;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const required = parseRequired(process.env.SIGNET_TEST_REQUIRE);
  const statuses = await probeRequirements(process.env);
  const verdict = judgeRequirements(statuses, required);
  if (verdict.failure) {
    const error = new Error(verdict.failure);
    error.stack = `Error: ${verdict.failure}`; // the message says it all; a stack into this file would not help
    throw error;
  }
  project.provide('requirements', {
    statuses: Object.fromEntries(statuses.map((status) => [status.name, status])) as Record<
      RequirementName,
      RequirementStatus
    >,
    postgresUrl: postgresTestUrl(process.env),
  });
  // Said once, after the summary, where a reader of a long run looks.
  return () => {
    for (const line of verdict.skipLines) console.warn(line);
  };
}
