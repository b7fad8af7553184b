// Runs one command as a child and makes sure it never outlives whoever started this guard:
// signals are forwarded, and if our parent dies (even by SIGKILL) the child is stopped.
// Usage: node guard.mjs <command> [args...]
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: guard.mjs <command> [args...]');
  process.exit(2);
}
const parent = process.ppid;
const child = spawn(command, args, { stdio: 'inherit' });
let stopping = false;

function stop(signal) {
  if (stopping || child.exitCode !== null) return;
  stopping = true;
  child.kill(signal);
  setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 10_000).unref();
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => stop(signal === 'SIGHUP' ? 'SIGTERM' : signal));
const watch = setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, 500);
child.on('error', (e) => {
  console.error(`guard: cannot start ${command}: ${e.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  clearInterval(watch);
  process.exit(code ?? (signal ? 128 : 1));
});
