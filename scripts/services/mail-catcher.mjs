// A local mail catcher for development: a real SMTP server (npm `smtp-server`) that keeps every
// message under a folder, and a small HTTP page to read them, subjects and bodies decoded
// (npm `mailparser`: RFC 2047 words, quoted-printable, base64, charsets). Nothing leaves the machine.
// Usage: node mail-catcher.mjs --smtp-port 1025 --http-port 1080 --dir .data/mail
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const { values } = parseArgs({
  options: { 'smtp-port': { type: 'string', default: '1025' }, 'http-port': { type: 'string', default: '1080' }, dir: { type: 'string', default: '.data/mail' } },
});
const dir = path.resolve(values.dir);
fs.mkdirSync(dir, { recursive: true });

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks);
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${session.id}.eml`;
      fs.writeFileSync(path.join(dir, name), raw);
      // The decoded message beside the raw one, read by the pages below.
      simpleParser(raw)
        .then((m) => ({ to: m.to?.text ?? '', cc: m.cc?.text ?? '', from: m.from?.text ?? '', subject: m.subject ?? '', date: m.date?.toISOString() ?? '', text: m.text ?? '' }))
        .catch((e) => ({ to: '', cc: '', from: '', subject: '(unreadable message)', date: '', text: String(e?.message ?? e) }))
        .then((decoded) => {
          fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(decoded));
          process.stdout.write(`caught ${name}\n`);
          callback();
        });
    });
  },
});

function list() {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .reverse()
    .map((file) => ({ file, ...decoded(file) }));
}

function decoded(file) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, `${file}.json`), 'utf8'));
  } catch {
    return { to: '', cc: '', from: '', subject: '(being received)', date: '', text: '' };
  }
}

const escape = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const web = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/messages.json') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list()));
  } else if (url.pathname.startsWith('/messages/')) {
    const file = path.basename(decodeURIComponent(url.pathname.slice('/messages/'.length)));
    const full = path.join(dir, file);
    if (!file.endsWith('.eml') || !fs.existsSync(full)) return void res.writeHead(404).end('not found');
    if (url.searchParams.has('raw')) return void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(fs.readFileSync(full));
    const m = decoded(file);
    const head = [['From', m.from], ['To', m.to], ['Cc', m.cc], ['Date', m.date], ['Subject', m.subject]].filter(([, v]) => v);
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><meta charset=utf-8><title>${escape(m.subject)}</title><p><a href="/">All mail</a> · <a href="?raw">Raw message</a></p>` +
          `<table>${head.map(([k, v]) => `<tr><th align=left>${k}</th><td>${escape(v)}</td></tr>`).join('')}</table><pre style="white-space:pre-wrap">${escape(m.text)}</pre>`,
      );
  } else {
    const rows = list().map((m) => `<tr><td>${escape(m.date)}</td><td>${escape(m.to)}</td><td><a href="/messages/${encodeURIComponent(m.file)}">${escape(m.subject)}</a></td></tr>`);
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><meta charset=utf-8><title>Caught mail</title><h1>Caught mail</h1><table border=1 cellpadding=4><tr><th>Date</th><th>To</th><th>Subject</th></tr>${rows.join('')}</table>`);
  }
});

const parent = process.ppid;
function shutdown() {
  smtp.close(() => web.close(() => process.exit(0)));
  setTimeout(() => process.exit(0), 3_000).unref();
}
let listening = false;
smtp.listen(Number(values['smtp-port']), '127.0.0.1', () => {
  web.listen(Number(values['http-port']), '127.0.0.1', () => {
    listening = true;
    process.stdout.write(`${JSON.stringify({ ready: true, smtp: Number(values['smtp-port']), http: Number(values['http-port']) })}\n`);
  });
});
// Before it listens, an error is fatal (its port taken); after, it is one connection's (a client
// killed mid-message resets it: ECONNRESET), and the catcher goes on serving the others.
smtp.on('error', (e) => {
  process.stderr.write(`mail catcher: ${e.message}\n`);
  if (!listening) process.exit(1);
});
web.on('error', (e) => {
  process.stderr.write(`mail catcher: ${e.message}\n`);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, shutdown);
setInterval(() => process.ppid !== parent && shutdown(), 500);
