import { execFileSync } from 'node:child_process';

/**
 * Finds a reference binary (Debian's `prometheus`, `promtool`, `victoria-metrics`, …) on PATH.
 *
 * Returns its path, or `undefined` when it is absent; in CI (`CI=true`) an absent binary is an error,
 * because CI must never skip an integration test.
 */
export function findBinary(name: string): string | undefined {
  try {
    const path = execFileSync('sh', ['-c', `command -v ${JSON.stringify(name)}`], {
      encoding: 'utf8',
    }).trim();
    if (path) return path;
  } catch {
    // not found
  }
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${name} is required in CI but is not installed (.ci/run installs it)`);
  }
  return undefined;
}

/** The reason to give `describe.skipIf` / `it.skipIf` when a binary is absent. */
export function missingBinaryMessage(name: string): string {
  return `skipped: ${name} is not installed (apt-get install it, or run .ci/run)`;
}
