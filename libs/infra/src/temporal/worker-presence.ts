import { type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/**
 * Temporal's view of a task queue's workers: a worker long-polls, and each poll is recorded when it
 * arrives; an idle worker polls again about once a minute. A queue with no poll for `staleAfterMs`
 * has no worker, and a command sent to it would wait with nobody to answer.
 */
export class WorkerPresence {
  private checkedAt = 0;
  private present = true;

  constructor(
    private readonly client: Client,
    private readonly target: { readonly namespace: string; readonly taskQueue: string },
    private readonly staleAfterMs: number,
    /** How long one answer of the server is reused. */
    private readonly cacheMs = 2_000,
  ) {}

  /** True when some worker polled the queue within `staleAfterMs`; an unreachable server answers true (the call itself will say). */
  async workerPolls(): Promise<boolean> {
    if (Date.now() - this.checkedAt < this.cacheMs) return this.present;
    try {
      const { pollers } = await this.client.workflowService.describeTaskQueue({
        namespace: this.target.namespace,
        taskQueue: { name: this.target.taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      const newest = Math.max(0, ...pollers.map((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000 + Math.floor((p.lastAccessTime?.nanos ?? 0) / 1e6)));
      this.present = Date.now() - newest < this.staleAfterMs;
    } catch {
      this.present = true;
    }
    this.checkedAt = Date.now();
    return this.present;
  }
}
