import { type Client } from '@temporalio/client';
import pg from 'pg';

/**
 * Where a test looks for quiet: the engine's database (its outbox) and the workflows that could
 * still act — by id, or every running one on a task queue.
 */
export interface Quiet {
  readonly databaseUrl: string;
  readonly client: Client;
  readonly workflowIds?: readonly string[];
  readonly taskQueue?: string;
}

/** Emails not yet sent and reported back to their file: something is still on its way. */
const UNSETTLED_MAIL = `SELECT count(*)::int AS n FROM outbox WHERE status IN ('pending', 'sending') OR (owner_workflow_id IS NOT NULL AND status IN ('sent', 'failed') AND reported_at IS NULL)`;

/**
 * What the workflows are doing: each one's history length, or null while it has a task or an
 * activity in flight (a local activity runs inside a workflow task).
 */
async function workflowActivity(quiet: Quiet): Promise<string | null> {
  const ids = [...(quiet.workflowIds ?? [])];
  if (quiet.taskQueue) {
    for await (const w of quiet.client.workflow.list({ query: `TaskQueue = "${quiet.taskQueue}" AND ExecutionStatus = "Running"` })) ids.push(w.workflowId);
  }
  const lengths: string[] = [];
  for (const id of ids.sort()) {
    const d = await quiet.client.workflow.getHandle(id).describe();
    if (d.raw.pendingWorkflowTask || (d.raw.pendingActivities?.length ?? 0) > 0) return null;
    lengths.push(`${id}:${d.runId}:${d.historyLength}`);
  }
  return lengths.join(',');
}

/** Two looks at the engine this far apart: long enough for a just-started workflow to show in Temporal's visibility. */
const QUIET_FOR_MS = 500;

/**
 * Waits until the engine is quiet: every email in the outbox sent and reported to its file, and no
 * workflow with work in flight, at two looks QUIET_FOR_MS apart with no history moving in between.
 * A workflow waiting on a timer counts as quiet (the engine's retries wait a minute and more). What
 * a test asserts after this ("nothing was sent twice", "nothing was sent") is what the engine
 * settled on, not what it had done after some fixed time.
 */
export async function settled(quiet: Quiet, timeoutMs = 30_000): Promise<void> {
  const db = new pg.Client({ connectionString: quiet.databaseUrl });
  await db.connect();
  try {
    const mailOnItsWay = async () => (await db.query<{ n: number }>(UNSETTLED_MAIL)).rows[0]!.n;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const before = await workflowActivity(quiet);
      if (before !== null && (await mailOnItsWay()) === 0) {
        await new Promise((r) => setTimeout(r, QUIET_FOR_MS));
        if ((await mailOnItsWay()) === 0 && (await workflowActivity(quiet)) === before) return;
      }
      if (Date.now() > deadline) throw new Error(`the engine did not settle in ${timeoutMs} ms (${await mailOnItsWay()} emails on their way; workflows ${before ?? 'busy'})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await db.end();
  }
}

/**
 * Waits until the wall clock is past `instant` (epoch ms or ISO): for a rule about the clock itself
 * (a deadline passed, an instant no longer in the future), the one thing a test must wait out.
 */
export async function untilPast(instant: number | string): Promise<void> {
  const t = typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(t)) throw new Error(`untilPast: ${String(instant)} is no instant`);
  while (Date.now() <= t) await new Promise((r) => setTimeout(r, Math.min(50, t - Date.now() + 1)));
}
