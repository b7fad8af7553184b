import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort, waitFor } from '#infra/dev/processes';

export interface CaughtMail {
  readonly to: string[];
  readonly raw: string;
  readonly subject: string;
  readonly text: string;
  readonly messageId: string;
  readonly attachments: { filename: string; content: string }[];
  /** When the message was fully received (epoch ms), as the relay's own clock saw it. */
  readonly receivedAt: number;
}

export interface MailCatcher {
  readonly url: string;
  readonly messages: CaughtMail[];
  waitFor(predicate: (m: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  /** While true, every message is refused with 421 (the relay is down); how many were refused so far. */
  refuse(on: boolean): void;
  /** Mail to this address is refused for good (550, no such mailbox). */
  rejectRecipient(address: string): void;
  readonly refused: number;
  stop(): Promise<void>;
}

/** A real SMTP server (npm smtp-server) on a free port that keeps what it receives. */
export async function startMailCatcher(): Promise<MailCatcher> {
  const messages: CaughtMail[] = [];
  let refusing = false;
  let refused = 0;
  const rejected = new Set<string>();
  const port = await freePort();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (!refusing) return callback();
      refused++;
      return callback(Object.assign(new Error('relay down (test)'), { responseCode: 421 }));
    },
    onRcptTo(address, _session, callback) {
      if (!rejected.has(address.address)) return callback();
      return callback(Object.assign(new Error('no such mailbox (test)'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const receivedAt = Date.now();
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            messages.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              messageId: parsed.messageId ?? '',
              attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? '', content: a.content.toString('utf8') })),
              receivedAt,
            });
            callback();
          },
          (e: Error) => callback(e),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refuse(on) {
      refusing = on;
    },
    rejectRecipient(address) {
      rejected.add(address);
    },
    get refused() {
      return refused;
    },
    async waitFor(predicate, timeoutMs = 20_000) {
      await waitFor('email', async () => messages.some(predicate), { timeoutMs, intervalMs: 50 });
      return messages.find(predicate)!;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The emails every controller gets at its first hand-over, whatever a test is about: the DPO's
 * contact (P12, DESIGN §3.6) and the ask to confirm its breach contact (DESIGN §3.10). Tests that
 * count a controller's emails about something else set these aside.
 */
export const routine = (m: { readonly subject: string }): boolean =>
  /^(Our data protection officer|Please confirm your contact for data breaches|Notre délégué à la protection des données|Merci de confirmer votre contact pour les violations de données)/.test(m.subject);
