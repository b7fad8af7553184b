import * as fs from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

/** One test's time, as `npm test` collects them across its stages (scripts/test.ts). */
export interface TestTiming {
  readonly project: string;
  readonly file: string;
  readonly name: string;
  readonly ms: number;
  readonly state: string;
}

/** How many of the slowest tests a run prints. */
export const SLOWEST = 10;

export function slowestLines(timings: readonly TestTiming[], count = SLOWEST): string[] {
  return [...timings]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map((t, i) => `${String(i + 1).padStart(2)}. ${(t.ms / 1000).toFixed(1).padStart(6)} s  ${t.project}  ${t.file} › ${t.name}`);
}

/**
 * Prints a run's ten slowest tests and its test count; with DPA_TEST_TIMINGS set (npm test sets
 * it), also appends every test's time to that file, one JSON line each, so the whole run's ten
 * slowest can be printed at its end.
 */
export default class TimingsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const timings: TestTiming[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        timings.push({
          project: module.project.name,
          file: module.relativeModuleId,
          name: test.fullName,
          ms: test.diagnostic()?.duration ?? 0,
          state: test.result().state,
        });
      }
    }
    if (timings.length === 0) return;
    const projects = [...new Set(timings.map((t) => t.project))].join(', ');
    console.log(`\n${timings.length} tests in ${projects}; the ${Math.min(SLOWEST, timings.length)} slowest:`);
    for (const line of slowestLines(timings)) console.log(line);
    const file = process.env.DPA_TEST_TIMINGS;
    if (file) fs.appendFileSync(file, timings.map((t) => JSON.stringify(t)).join('\n') + '\n');
  }
}
