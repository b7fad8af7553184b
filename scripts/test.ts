import { runInForeground } from '#infra/dev/processes';
import * as path from 'node:path';
import { ensureChromium, ensureSshd } from '#infra/dev/debian-packages';
import { installTemporalBinaries } from '#infra/temporal/binaries';

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

function run(name: string, [command, args]: [string, string[]]): Promise<number> {
  return runInForeground(command, args, { cwd: root, env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' }, label: `[test] ${name}` });
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((s) => !(s in steps));
  if (unknown.length) throw new Error(`unknown step(s) ${unknown.join(', ')}; choose from ${Object.keys(steps).join(', ')}`);
  const names = requested.length ? requested : Object.keys(steps);
  await installTemporalBinaries((line) => console.log(`[test] ${line}`));
  if (names.includes('e2e')) ensureChromium((line) => console.log(`[test] ${line}`));
  if (names.includes('int')) ensureSshd((line) => console.log(`[test] ${line}`));
  const timings: string[] = [];
  const started = Date.now();
  for (const name of names) {
    const t = Date.now();
    console.log(`\n[test] ── ${name} ──`);
    const code = await run(name, steps[name]!);
    timings.push(`${name} ${((Date.now() - t) / 1000).toFixed(1)} s`);
    if (code !== 0) {
      console.error(`\n[test] ${name} failed (exit ${code}); ${timings.join(', ')}`);
      process.exit(code);
    }
  }
  console.log(`\n[test] all passed in ${((Date.now() - started) / 1000).toFixed(1)} s: ${timings.join(', ')}`);
}

main().catch((e: unknown) => {
  console.error(`[test] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
