import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, isPortOpen, startProcess, waitFor, type ManagedProcess } from '#infra/dev/processes';
import { projectRoot } from '#infra/dev/project-root';

/** Issue "strict edges", item 6: the development mail catcher of `npm run up` shows mail decoded. */
let catcher: ManagedProcess;
let smtpPort: number;
let web: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-catcher-'));

beforeAll(async () => {
  smtpPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === smtpPort) httpPort = await freePort();
  web = `http://127.0.0.1:${httpPort}`;
  catcher = startProcess('mail', process.execPath, [path.join(projectRoot(), 'scripts/services/mail-catcher.mjs'), '--smtp-port', String(smtpPort), '--http-port', String(httpPort), '--dir', dir]);
  await waitFor('mail catcher', () => isPortOpen(httpPort), { exited: catcher.exited, timeoutMs: 15_000 });
});
afterAll(async () => {
  await catcher?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the mail catcher', () => {
  it('lists decoded subjects and shows readable bodies, the raw message one click away', async () => {
    const subject = 'Certificat de destruction — contrat « ACME » ✓';
    const body = 'Les données ont été détruites à 100 %, à chaque emplacement.\nMerci.';
    // Non-ASCII forces RFC 2047 encoded words in the subject and quoted-printable in the body.
    await createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true }).sendMail({ from: 'engine@processor.example', to: 'dpo@client.example', subject, text: body });
    await waitFor('the message', async () => ((await (await fetch(`${web}/messages.json`)).json()) as unknown[]).length === 1, { timeoutMs: 10_000 });
    const [message] = (await (await fetch(`${web}/messages.json`)).json()) as { file: string; subject: string; to: string; text: string }[];
    expect(message).toMatchObject({ subject, to: 'dpo@client.example' });
    expect(message!.text.trim()).toBe(body);

    const raw = await (await fetch(`${web}/messages/${encodeURIComponent(message!.file)}?raw`)).text();
    expect(raw).toMatch(/^Subject: =\?UTF-8\?/m);
    const page = await (await fetch(`${web}/messages/${encodeURIComponent(message!.file)}`)).text();
    expect(page).toContain(subject);
    expect(page).toContain('Les données ont été détruites à 100 %');
    expect(await (await fetch(web)).text()).toContain(subject);
  });
});
