// A local mail catcher for development: a real SMTP server (npm `smtp-server`) that keeps every
// message under a folder, and a small HTTP page to read them. Nothing leaves the machine.
// Usage: node mail-catcher.mjs --smtp-port 1025 --http-port 1080 --dir .data/mail
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
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
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${session.id}.eml`;
      fs.writeFileSync(path.join(dir, name), Buffer.concat(chunks));
      process.stdout.write(`caught ${name}\n`);
      callback();
    });
  },
});

function list() {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .reverse()
    .map((file) => {
      const raw = fs.readFileSync(path.join(dir, file), 'utf8');
      const header = (name) => raw.match(new RegExp(`^${name}: (.*)$`, 'mi'))?.[1] ?? '';
      return { file, to: header('To'), subject: header('Subject'), date: header('Date') };
    });
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
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(fs.readFileSync(full));
  } else {
    const rows = list().map((m) => `<tr><td>${escape(m.date)}</td><td>${escape(m.to)}</td><td><a href="/messages/${encodeURIComponent(m.file)}">${escape(m.subject)}</a></td></tr>`);
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><title>Caught mail</title><h1>Caught mail</h1><table border=1 cellpadding=4><tr><th>Date</th><th>To</th><th>Subject</th></tr>${rows.join('')}</table>`);
  }
});

const parent = process.ppid;
function shutdown() {
  smtp.close(() => web.close(() => process.exit(0)));
  setTimeout(() => process.exit(0), 3_000).unref();
}
smtp.listen(Number(values['smtp-port']), '127.0.0.1', () => {
  web.listen(Number(values['http-port']), '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ ready: true, smtp: Number(values['smtp-port']), http: Number(values['http-port']) })}\n`);
  });
});
smtp.on('error', (e) => {
  process.stderr.write(`mail catcher: ${e.message}\n`);
  process.exit(1);
});
web.on('error', (e) => {
  process.stderr.write(`mail catcher: ${e.message}\n`);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, shutdown);
setInterval(() => process.ppid !== parent && shutdown(), 500);
