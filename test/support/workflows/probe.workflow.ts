import { condition, defineQuery, defineSignal, defineUpdate, setHandler, sleep } from '@temporalio/workflow';

// A minimal workflow to prove the Temporal plumbing (dev server, time-skipping server, codec).
export const addUpdate = defineUpdate<number, [number]>('add');
export const noteSignal = defineSignal<[string]>('note');
export const totalQuery = defineQuery<{ total: number; notes: string[] }>('total');
export const finishSignal = defineSignal('finish');

export async function probeWorkflow(): Promise<{ total: number; notes: string[] }> {
  let total = 0;
  const notes: string[] = [];
  let finished = false;
  setHandler(addUpdate, (n) => (total += n), {
    validator: (n) => {
      if (!Number.isInteger(n)) throw new Error('only whole numbers');
    },
  });
  setHandler(noteSignal, (note) => void notes.push(note));
  setHandler(totalQuery, () => ({ total, notes }));
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  return { total, notes };
}

export async function sleeperWorkflow(days: number): Promise<{ startedAt: number; wokeAt: number }> {
  const startedAt = Date.now();
  await sleep(`${days} days`);
  return { startedAt, wokeAt: Date.now() };
}

/** Does nothing: the cost of a workflow start and completion, for benchmarks. */
export async function trivialWorkflow(): Promise<number> {
  return 1;
}
