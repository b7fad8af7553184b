import * as fs from 'node:fs';
import * as path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#infra/config/config';
import { dataConverter } from '#infra/temporal/connection';
import { expectJoinedEngine } from '../../support/bundle-modules';
import { HISTORIES_DIR, quietTemporalRuntime, workflowBundle } from '../../support/engine';

// Recorded by the workflow tests with RECORD_HISTORIES=1; payloads are encrypted with the dev payload key.
const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

describe('recorded workflow histories', () => {
  it('cover contract runs (expiry, renewal, termination, cancellation) each through its destruction (export, failed rounds, continue-as-new, missed deadline)', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'contract-cancelled.json',
        'contract-expired-after-notice.json',
        'contract-renewed.json',
        'contract-terminated.json',
        'destruction-after-export.json',
        'destruction-deadline-missed.json',
      ]),
    );
  });

  it("the bundle every workflow evaluates anew holds the engine's modules joined into one, and nothing that only the API and the mail adapter use: no zod, no i18next, no catalogue", async () => {
    expectJoinedEngine((await workflowBundle()).code);
  });

  it('Determinism: every recorded history replays through the current workflow code with the same commands', async () => {
    quietTemporalRuntime();
    const histories = files.map((f) => ({
      workflowId: path.basename(f, '.json'),
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, f), 'utf8'))),
    }));
    const options = { workflowBundle: await workflowBundle(), dataConverter: dataConverter(loadConfig({ NODE_ENV: 'test' })) };
    const outcomes: { workflowId: string; error: string | null }[] = [];
    for await (const { workflowId, error } of Worker.runReplayHistories(options, histories)) {
      outcomes.push({ workflowId, error: error ? `${error.name}: ${error.message}` : null });
    }
    expect(outcomes).toEqual(histories.map(({ workflowId }) => ({ workflowId, error: null })));
  });
});
