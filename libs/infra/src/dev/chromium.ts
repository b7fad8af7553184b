import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** Debian's Chromium, driven by playwright-core (which never downloads a browser). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The browser the UI's end-to-end tests drive: installed with apt when it is missing (as root,
 * on Debian), so that `npm test` on a fresh machine needs nothing done by hand.
 */
export function ensureChromium(say: (line: string) => void): void {
  if (fs.existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
  say('installing chromium with apt-get (the UI tests drive it)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) throw new Error(`apt-get ${args[0]} failed (exit ${result.status})`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is not there`);
}
