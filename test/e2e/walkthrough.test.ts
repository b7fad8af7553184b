import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/dev/project-root';
import { startStack, type Stack } from '../support/stack';
import { ensureCommand } from '../support/system';

/**
 * Issue "strict edges", item 6: the sh block of docs/walkthrough.md ("From order to destruction
 * certificate"), run as a script exactly as it is written there, so that it cannot rot. Only where
 * the engine listens (API) and where its storage is (the stack's own environment) differ from
 * `npm run up`, and its billing period: 20 seconds instead of a minute, so that the certificate
 * comes in under a minute (the rules it walks through are the same for any period).
 */
const PERIOD = 'PT20S';
const PERIOD_MS = 20_000;
const HEADING = '## From order to destruction certificate';
function docWalkthrough(): string {
  const doc = fs.readFileSync(path.join(projectRoot(), 'docs', 'walkthrough.md'), 'utf8');
  const section = doc.slice(doc.indexOf(HEADING), doc.indexOf('\n## ', doc.indexOf(HEADING) + 1));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`no sh block in docs/walkthrough.md's "${HEADING.slice(3)}"`);
  return block[1]!;
}

let stack: Stack;
beforeAll(async () => {
  ensureCommand('curl');
  ensureCommand('jq');
  stack = await startStack();
});
afterAll(async () => stack?.stop());

describe('the walkthrough (docs/walkthrough.md)', () => {
  it('runs as written, top to bottom, and reaches the destruction certificate on its own clock', async () => {
    const script = docWalkthrough();
    // Nothing for a person to fill in.
    expect(script).not.toMatch(/<[a-z][^>]*>|…"/i);
    const run = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: projectRoot(), env: { ...process.env, ...stack.env, API: stack.api.url, PERIOD } });
    let out = '';
    run.stdout.on('data', (c: Buffer) => (out += c.toString()));
    run.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => run.kill('SIGKILL'), 6 * 60_000);
      run.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code, out).toBe(0);

    // What the script printed is what the engine holds.
    const list = await stack.request('GET', '/contracts?controller=privacy%40acme.example', { role: 'dpo' });
    expect(list.body.items).toHaveLength(1);
    const contract = list.body.items[0];
    expect(contract).toMatchObject({ status: 'destroyed', endKind: 'expired', billingPeriod: PERIOD, renewals: [{ invoiceId: 'inv-1' }] });
    // The renewal covered the period the hand-over answer named: one period after the first term.
    const renewal = contract.renewals[0];
    expect(Date.parse(renewal.coveredPeriod.end) - Date.parse(renewal.coveredPeriod.start)).toBe(PERIOD_MS);
    expect(Date.parse(renewal.coveredPeriod.start) - Date.parse(contract.processingStartedAt)).toBe(PERIOD_MS);
    expect(contract.endedAt).toBe(renewal.coveredPeriod.end);
    expect(contract.destruction.certificate).toMatchObject({ endKind: 'expired', withinDeadline: true });
    expect(contract.destruction.locations.every((l: { status: string; evidence: { objectCount: number } }) => l.status === 'destroyed' && l.evidence.objectCount > 0)).toBe(true);
    expect(out).toContain(contract.destruction.certificate.certificateId);
    expect(out).toContain('"valid":true');
    await stack.mail.waitFor((m) => m.to.includes('privacy@acme.example') && m.text.includes(contract.destruction.certificate.certificateId), 30_000);
  }, 7 * 60_000);
});
