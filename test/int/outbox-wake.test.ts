import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataSource } from 'typeorm';
import { createDataSource } from '#infra/database/data-source';
import { Outbox, OutboxDispatcher } from '../../apps/worker/src/mail/outbox';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startMailCatcher, type MailCatcher } from '../support/mail';

/** Far longer than the test waits: a message sent in time was sent because its enqueue woke the dispatcher. */
const ROUND_MS = 10 * 60_000;

let db: TestDatabase;
let dataSource: DataSource;
let mail: MailCatcher;
let dispatcher: OutboxDispatcher;

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = createDataSource({ url: db.url, poolSize: 2, applicationName: 'outbox-wake-test' });
  await dataSource.initialize();
  mail = await startMailCatcher();
  dispatcher = new OutboxDispatcher(dataSource, mail.url, 'engine@processor.example', pino({ level: 'silent' }), ROUND_MS);
});
afterAll(async () => {
  await dispatcher?.stop();
  await mail?.stop();
  await dataSource?.destroy();
  await db?.drop();
});

const email = (n: number) => ({ messageId: `<wake-${n}@test>`, contractId: null, kind: 'test', to: `dpo-${n}@client.example`, subject: `wake ${n}`, text: 'sent at once' });

describe('the outbox dispatcher', () => {
  it('sends a message enqueued in this process at once, not at its next round; one enqueued during a round goes in the round after it', async () => {
    dispatcher.start();
    // The first round found nothing; the next is ten minutes away.
    await dispatcher.round();
    const outbox = new Outbox(dataSource, 'engine@processor.example', () => dispatcher.wake());
    await outbox.enqueue(email(1));
    await mail.waitFor((m) => m.subject === 'wake 1', 30_000);
    // Several at once: whichever round is in progress, each goes out without waiting for the interval.
    await Promise.all([2, 3, 4].map((n) => outbox.enqueue(email(n))));
    for (const n of [2, 3, 4]) await mail.waitFor((m) => m.subject === `wake ${n}`, 30_000);
    expect(mail.messages.filter((m) => m.subject.startsWith('wake ')).map((m) => m.subject).sort()).toEqual(['wake 1', 'wake 2', 'wake 3', 'wake 4']);
  });

  it('without the wake-up, a message waits for the next round (what the test above rules out)', async () => {
    const quiet = new Outbox(dataSource, 'engine@processor.example');
    await quiet.enqueue(email(5));
    await new Promise((r) => setTimeout(r, 3_000));
    expect(mail.messages.some((m) => m.subject === 'wake 5')).toBe(false);
  });
});
