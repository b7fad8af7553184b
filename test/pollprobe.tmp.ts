import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { freePort } from '../libs/infra/src/dev/processes';
import { startTemporalDevServer } from '../libs/infra/src/dev/services';
async function main() {
  const t = await startTemporalDevServer({ port: await freePort(), uiPort: null });
  const worker = await Worker.create({ connection: await NativeConnection.connect({ address: t.address }), taskQueue: 'probe', workflowsPath: require.resolve('./support/workflows/probe.workflow.ts') });
  const running = worker.run();
  const c = await Connection.connect({ address: t.address });
  for (let i = 0; i < 16; i++) {
    await new Promise((r) => setTimeout(r, 5000));
    const { pollers } = await c.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'probe' }, taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW });
    console.log(i * 5, pollers.map((p) => Math.round(Date.now() / 1000 - Number(p.lastAccessTime?.seconds))));
    if (i === 8) { worker.shutdown(); await running; console.log('worker stopped'); }
  }
  await t.stop();
}
main();
