import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { startProcess } from '#infra/dev/processes';
import { supervise } from '#infra/dev/supervisor';

describe('the supervisor of npm run up', () => {
  it('restarts a process that dies, with growing delays, and stops it for good on request', async () => {
    const counter = path.join(inject('runDir'), `supervised-${process.pid}-${Date.now()}`);
    // Dies at its first two starts, then runs until stopped.
    const script = `const fs=require('fs');const n=Number(fs.existsSync(${JSON.stringify(counter)})?fs.readFileSync(${JSON.stringify(counter)},'utf8'):0)+1;fs.writeFileSync(${JSON.stringify(counter)},String(n));if(n<3)process.exit(7);setInterval(()=>{},1000);`;
    const said: string[] = [];
    const supervised = supervise(() => startProcess('flaky', process.execPath, ['-e', script]), { firstDelayMs: 50, say: (l) => said.push(l) });
    await expect.poll(() => supervised.restarts, { timeout: 10_000 }).toBe(2);
    // The third start is the one that stays up.
    await expect.poll(() => (fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8') : ''), { timeout: 10_000 }).toBe('3');
    expect(said).toEqual(['flaky exited unexpectedly (7); restarting in 50 ms', 'flaky exited unexpectedly (7); restarting in 100 ms']);
    const running = supervised.pid;
    expect(() => process.kill(running, 0)).not.toThrow();
    await supervised.stop();
    expect(await supervised.exited).not.toBe(7);
    expect(() => process.kill(running, 0)).toThrow();
    expect(supervised.restarts).toBe(2);
  });

  it('gives up on a crash loop and says so', async () => {
    const said: string[] = [];
    const supervised = supervise(() => startProcess('broken', process.execPath, ['-e', 'process.exit(3)']), { maxRestarts: 2, windowMs: 30_000, firstDelayMs: 20, say: (l) => said.push(l) });
    expect(await supervised.exited).toBe(3);
    expect(supervised.restarts).toBe(2);
    expect(said.at(-1)).toBe('broken exited (3) 3 times within 30 s: giving up; its last lines above say why');
  });
});
