/** One dependency as a readiness check sees it. */
export interface DependencyHealth {
  readonly status: 'up' | 'down';
  readonly latencyMs: number;
  readonly error?: string;
}

/** What a readiness check answers: each check on its own, and with a 503 the DESIGN §6 error naming what is down. */
export interface Readiness<K extends string> {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Record<K, { readonly status: 'up' | 'down' }>;
  readonly error?: { readonly code: string; readonly message: string; readonly details: { readonly down: K[] } };
}

export const PROBE_TIMEOUT_MS = 2_000;

/** Runs `call` against a deadline: up with its latency, or down with why (a timeout, a driver code). */
export async function probe(call: () => Promise<unknown>, timeoutMs = PROBE_TIMEOUT_MS): Promise<DependencyHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    await Promise.race([
      call(),
      new Promise((_, reject) => (timer = setTimeout(() => ((timedOut = true), reject(new Error('timeout'))), timeoutMs))),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    // Health answers are public: say how it failed (a driver code such as ECONNREFUSED), not where or as whom.
    const code = (e as { code?: unknown })?.code;
    const error = timedOut ? 'timeout' : typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code : 'unreachable';
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error };
  } finally {
    clearTimeout(timer);
  }
}

/** The checks as one answer: `ok`, or `unavailable` with an error whose message names what is down in `names`' words. */
export function readinessOf<K extends string, C extends { readonly status: 'up' | 'down' }>(checks: Record<K, C>, names: Record<K, string>, code = 'dependency_unavailable'): Readiness<K> & { checks: Record<K, C> } {
  const down = (Object.keys(checks) as K[]).filter((k) => checks[k].status === 'down');
  if (down.length === 0) return { status: 'ok', checks };
  return { status: 'unavailable', checks, error: { code, message: `Unavailable: ${down.map((k) => names[k]).join(' and ')}.`, details: { down } } };
}
