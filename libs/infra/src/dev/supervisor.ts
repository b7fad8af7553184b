import { type ManagedProcess } from './processes';

export interface SupervisorOptions {
  /** Restarts allowed within `windowMs` before the supervisor gives up. */
  readonly maxRestarts?: number;
  readonly windowMs?: number;
  /** The first restart waits this long; each further one in the window twice as long. */
  readonly firstDelayMs?: number;
  readonly say?: (line: string) => void;
}

export interface SupervisedProcess extends ManagedProcess {
  /** Restarts so far. */
  readonly restarts: number;
}

/**
 * Keeps a process running (`npm run up`): one that exits without being asked to is started again
 * after a growing delay; a crash loop (more than `maxRestarts` exits within `windowMs`) gives up,
 * saying why, and `exited` then resolves with the last exit code. `stop()` stops it for good.
 */
export function supervise(start: () => ManagedProcess, options: SupervisorOptions = {}): SupervisedProcess {
  const { maxRestarts = 5, windowMs = 60_000, firstDelayMs = 500, say = () => {} } = options;
  let current = start();
  let stopping = false;
  let restarts = 0;
  const recent: number[] = [];
  let giveUp: (code: number | null) => void = () => {};
  const exited = new Promise<number | null>((resolve) => (giveUp = resolve));
  let timer: NodeJS.Timeout | null = null;

  const watch = (proc: ManagedProcess) => {
    void proc.exited.then((code) => {
      if (stopping) return giveUp(code);
      const now = Date.now();
      while (recent.length && recent[0]! < now - windowMs) recent.shift();
      if (recent.length >= maxRestarts) {
        say(`${proc.name} exited (${code}) ${recent.length + 1} times within ${Math.round(windowMs / 1000)} s: giving up; its last lines above say why`);
        return giveUp(code);
      }
      const delay = firstDelayMs * 2 ** recent.length;
      recent.push(now);
      say(`${proc.name} exited unexpectedly (${code}); restarting in ${delay} ms`);
      timer = setTimeout(() => {
        timer = null;
        if (stopping) return giveUp(code);
        restarts++;
        current = start();
        watch(current);
      }, delay);
    });
  };
  watch(current);

  return {
    get name() {
      return current.name;
    },
    get pid() {
      return current.pid;
    },
    get child() {
      return current.child;
    },
    get restarts() {
      return restarts;
    },
    exited,
    async stop(graceMs?: number) {
      stopping = true;
      if (timer) {
        clearTimeout(timer);
        timer = null;
        giveUp(null);
      }
      await current.stop(graceMs);
      await exited;
    },
  };
}
