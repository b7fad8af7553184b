import * as fs from 'node:fs';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './processes';

const ephemeralLow = fs.existsSync('/proc/sys/net/ipv4/ip_local_port_range') ? Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) : 32_768;
const HIGH = Math.min(ephemeralLow, 32_768) - 1;

const reservable = (port: number) => port >= 10_000 && port < ephemeralLow;

describe('freePort', () => {
  it('reserves ports under the kernel’s ephemeral range, never the same one twice, each free to bind', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(40);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralLow);
    }
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });

  it('passes over a port something already listens on', async () => {
    const first = await freePort();
    // The next candidate in this process's walk follows `first` (at the top of the range, its bottom): take it before freePort looks.
    const candidate = first + 1 > HIGH ? 10_000 : first + 1;
    const squatter = net.createServer();
    await new Promise<void>((resolve, reject) => squatter.once('error', reject).listen(candidate, '127.0.0.1', resolve));
    try {
      const next = await freePort();
      expect(next).not.toBe(candidate);
      expect(reservable(next)).toBe(true);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
