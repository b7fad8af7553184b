import { describe, expect, it } from 'vitest';
import { contractStream } from '../contract/contract.decider';
import { subjectRequestStream } from '../subject-request/subject-request.decider';
import type { EmailSent } from './mail';

const receipt: Extract<EmailSent, { type: 'EmailSent' }> = {
  type: 'EmailSent',
  data: { messageId: '<c.certificate@dpa-engine>', key: 'c:certificate', kind: 'certificate', to: ['privacy@client.example'], cc: ['dpo@client.example'], acceptedAt: '2027-05-01T10:00:00.000Z', sha256: 'f'.repeat(64) },
};
const failure: Extract<EmailSent, { type: 'EmailFailed' }> = {
  type: 'EmailFailed',
  data: { messageId: '<c.escalation@dpa-engine>', key: 'c:escalation', kind: 'escalation', to: ['nobody@processor.example'], cc: [], failedAt: '2027-05-02T10:00:00.000Z', smtpCode: 550 },
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
      // A refusal for good is recorded as well, dated when the relay refused it.
      expect(stream.decide({ type: 'RecordEmailFailed', data: failure.data }, state as never)).toEqual([failure]);
      expect(stream.evolve(state as never, failure)).toBe(state);
      expect(stream.occurredAt(failure)).toBe('2027-05-02T10:00:00.000Z');
      expect(stream.upcast({ type: 'EmailFailed', schemaVersion: 1, data: failure.data })).toEqual(failure);
      // Everything else is the file's own.
      expect(stream.nextTimer(state as never)).toBeNull();
    }
  });
});
