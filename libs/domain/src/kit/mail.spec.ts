import { describe, expect, it } from 'vitest';
import { contractStream } from '../contract/contract.decider';
import { subjectRequestStream } from '../subject-request/subject-request.decider';
import type { EmailSent } from './mail';

const receipt: EmailSent = {
  type: 'EmailSent',
  data: { messageId: 'c:certificate', kind: 'certificate', to: ['privacy@client.example'], cc: ['dpo@client.example'], acceptedAt: '2027-05-01T10:00:00.000Z', sha256: 'f'.repeat(64) },
};

describe('email receipts in every file\'s trail (proof of what was sent)', () => {
  it('a receipt is one EmailSent event, dated when the SMTP server accepted the message, leaving the file as it was', () => {
    for (const stream of [contractStream, subjectRequestStream]) {
      const state = stream.initialState();
      expect(stream.decide({ type: 'RecordEmailSent', data: receipt.data }, state as never)).toEqual([receipt]);
      expect(stream.evolve(state as never, receipt)).toBe(state);
      expect(stream.occurredAt(receipt)).toBe('2027-05-01T10:00:00.000Z');
      expect(stream.upcast({ type: 'EmailSent', schemaVersion: 1, data: receipt.data })).toEqual(receipt);
      expect(stream.eventVersions.EmailSent).toBe(1);
      // Everything else is the file's own.
      expect(stream.nextTimer(state as never)).toBeNull();
    }
  });
});
