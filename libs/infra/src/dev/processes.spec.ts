import * as fs from 'node:fs';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './processes';

const ephemeralLow = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

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
    // The next candidate in this process's walk is first + 1: take it before freePort looks.
    const squatter = net.createServer();
    await new Promise<void>((resolve, reject) => squatter.once('error', reject).listen(first + 1, '127.0.0.1', resolve));
    try {
      const next = await freePort();
      expect(next).not.toBe(first + 1);
      expect(reservable(next)).toBe(true);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
