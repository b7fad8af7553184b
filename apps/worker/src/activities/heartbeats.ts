import { Context } from '@temporalio/activity';

/*
 * A long activity (walking a storage location, copying it out) must tell Temporal it is alive, or its
 * heartbeat timeout would take a busy worker for a dead one. Used by storage and incident activities.
 */

/**
 * Heartbeats every few seconds while `work` runs, whatever it does (walking a large tree, copying):
 * the heartbeat timeout then only catches a worker that died, not one that is busy.
 */
export async function keepAlive<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  const beat = setInterval(() => context.heartbeat(), 5_000);
  try {
    return await work(context.cancellationSignal);
  } finally {
    clearInterval(beat);
  }
}
