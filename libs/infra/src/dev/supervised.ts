/**
 * A process started by a supervisor (`npm run up`, the test suites) with DPA_SUPERVISED=1 stops
 * itself, gracefully, when that supervisor dies without stopping it — even after a SIGKILL —
 * so nothing is left polling or listening.
 */
export function exitWithSupervisor(env: NodeJS.ProcessEnv = process.env): void {
  if (env.DPA_SUPERVISED !== '1') return;
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watch);
      process.kill(process.pid, 'SIGTERM');
    }
  }, 1_000);
  watch.unref();
}
