import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

// The engine's workflows, and beside them one that does nothing but answer: the measure of what
// Temporal itself costs, driven exactly as a contract is (an update-with-start, then one update).
export * from '../../apps/worker/src/workflows';

export const trivialOrderUpdate = defineUpdate<{ readonly id: string }, [{ readonly id: string }]>('trivialOrder');
export const trivialTouchUpdate = defineUpdate<{ readonly id: string }, [{ readonly id: string }]>('trivialTouch');

export async function trivialEntityWorkflow(): Promise<void> {
  let touched = false;
  let id = '';
  setHandler(trivialOrderUpdate, (input) => {
    id = input.id;
    return { id };
  });
  setHandler(trivialTouchUpdate, () => {
    touched = true;
    return { id };
  });
  await condition(() => touched);
}
