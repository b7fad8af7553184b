import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { GO_TOOLCHAIN, TEMPORAL_SERVER_VERSION } from '../temporal/server-build';
import { CLUSTER_SERVICES, composeConfigFiles, serviceConfig, standardPorts } from './temporal-cluster';

const root = path.resolve(__dirname, '../../../..');

describe('the Temporal cluster configuration', () => {
  it('docker compose mounts the configuration npm run up:cluster generates, and builds the same pinned version', () => {
    for (const [name, text] of Object.entries(composeConfigFiles())) {
      expect(fs.readFileSync(path.join(root, 'deploy/temporal/config', name), 'utf8'), `${name}: run npm run temporal:compose-config`).toBe(text);
    }
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`ARG TEMPORAL_SERVER_VERSION=${TEMPORAL_SERVER_VERSION}`);
    expect(dockerfile).toContain(`GOTOOLCHAIN=${GO_TOOLCHAIN}`);
    const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { build?: { target?: string }; command?: string[] }> };
    const temporal = Object.values(compose.services).filter((s) => s.build?.target === 'temporal' && s.command?.includes('--service'));
    expect(temporal.map((s) => s.command![s.command!.indexOf('--service') + 1]).sort()).toEqual([...CLUSTER_SERVICES].sort());
  });

  it('gives each service its own metrics port and the same persistence, membership and ports otherwise', () => {
    const ports = standardPorts(7233);
    const configs = CLUSTER_SERVICES.map((s) => JSON.parse(serviceConfig(s, { postgresUrl: 'postgres://u:p%40ss@db.example:6432/x', ports }, '/d.yaml')) as Record<string, never>);
    const metrics = configs.map((c) => (c['global'] as { metrics: { prometheus: { listenAddress: string } } }).metrics.prometheus.listenAddress);
    expect(new Set(metrics).size).toBe(CLUSTER_SERVICES.length);
    for (const c of configs) {
      expect(c['services']).toEqual(configs[0]!['services']);
      expect((c['persistence'] as { datastores: Record<string, { sql: object }> }).datastores['postgres-default']!.sql).toMatchObject({ connectAddr: 'db.example:6432', user: 'u', password: 'p@ss', databaseName: 'temporal' });
    }
    // Temporal keeps membership ports in a smallint column.
    expect(Math.max(...Object.values(ports.membership))).toBeLessThan(32_768);
  });
});
