import { runInForeground } from '#infra/dev/processes';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureChromium, ensurePoppler, ensureSshd } from '#infra/dev/debian-packages';
import { installTemporalBinaries } from '#infra/temporal/binaries';
import { slowestLines, type TestTiming } from '../test/support/timings-reporter';

/**
 * `npm test`: type check, lint, then the unit, integration and end-to-end suites. Each suite
 * starts the real services it needs (test/support/global-setup.ts) and stops them afterwards.
 * `npm test -- unit int` runs only the named steps.
 */
const root = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

const steps: Record<string, [string, string[]]> = {
  build: [bin('tsc'), ['-p', 'tsconfig.build.json']],
  typecheck: [bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  lint: [bin('eslint'), ['--max-warnings=0', '.']],
  unit: [bin('vitest'), ['run', '--project', 'unit', '--coverage']],
  int: [bin('vitest'), ['run', '--project', 'int']],
  e2e: [bin('vitest'), ['run', '--project', 'e2e']],
};

/** Steps that need no service and one core each: run side by side. */
const CHECKS = ['build', 'typecheck', 'lint'];

/** Every test's time, appended by test/support/timings-reporter.ts as each suite ends. */
const timingsFile = path.join(root, '.data', 'test', `timings-${process.pid}.jsonl`);

function run(name: string, [command, args]: [string, string[]]): Promise<number> {
  const env = { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true', DPA_TEST_TIMINGS: timingsFile };
  return runInForeground(command, args, { cwd: root, env, label: `[test] ${name}` });
}

/** The run's test count per suite and its ten slowest tests, from what the suites reported. */
function summary(): string[] {
  if (!fs.existsSync(timingsFile)) return [];
  const timings = fs
    .readFileSync(timingsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TestTiming);
  fs.rmSync(timingsFile, { force: true });
  const counts = new Map<string, number>();
  for (const t of timings) counts.set(t.project, (counts.get(t.project) ?? 0) + 1);
  return [
    `[test] ${timings.length} tests: ${[...counts].map(([project, n]) => `${project} ${n}`).join(', ')}`,
    `[test] the ten slowest:`,
    ...slowestLines(timings).map((line) => `[test] ${line}`),
  ];
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((s) => !(s in steps));
  if (unknown.length) throw new Error(`unknown step(s) ${unknown.join(', ')}; choose from ${Object.keys(steps).join(', ')}`);
  const names = requested.length ? requested : Object.keys(steps);
  const started = Date.now();
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  // The install counts: npm ci (scripts/run.mjs, when it ran), then the binaries and packages.
  const timings: string[] = process.env.DPA_NPM_CI_MS ? [`npm ci ${seconds(Number(process.env.DPA_NPM_CI_MS))}`] : [];
  await installTemporalBinaries((line) => console.log(`[test] ${line}`));
  if (names.includes('e2e')) ensureChromium((line) => console.log(`[test] ${line}`));
  if (names.includes('int')) ensureSshd((line) => console.log(`[test] ${line}`));
  if (names.includes('int') || names.includes('e2e')) ensurePoppler((line) => console.log(`[test] ${line}`));
  timings.push(`setup ${seconds(Date.now() - started)}`);
  fs.mkdirSync(path.dirname(timingsFile), { recursive: true });
  fs.rmSync(timingsFile, { force: true });
  // The build, the type check and the lint each keep one core busy: they run side by side (their
  // lines carry their names), then the suites one after the other.
  const checks = names.filter((n) => CHECKS.includes(n));
  const batches = [...(checks.length ? [checks] : []), ...names.filter((n) => !CHECKS.includes(n)).map((n) => [n])];
  for (const batch of batches) {
    const t = Date.now();
    console.log(`\n[test] ── ${batch.join(' + ')} ──`);
    const codes = await Promise.all(
      batch.map(async (name) => {
        const code = await run(name, steps[name]!);
        timings.push(`${name} ${seconds(Date.now() - t)}`);
        return [name, code] as const;
      }),
    );
    const failed = codes.find(([, code]) => code !== 0);
    if (failed) {
      for (const line of summary()) console.error(line);
      console.error(`\n[test] ${failed[0]} failed (exit ${failed[1]}); ${timings.join(', ')}`);
      process.exit(failed[1]);
    }
  }
  console.log('');
  for (const line of summary()) console.log(line);
  const total = Date.now() - started + Number(process.env.DPA_NPM_CI_MS ?? 0);
  console.log(`\n[test] all passed in ${seconds(total)}: ${timings.join(', ')}`);
}

main().catch((e: unknown) => {
  console.error(`[test] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
