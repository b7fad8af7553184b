import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client as PgClient } from 'pg';
import { builtServer, TEMPORAL_SERVER_VERSION, type TemporalServerBinaries } from '../temporal/server-build';
import { canBind, freePort, isPortOpen, startProcess, waitFor, type LineSink, type ManagedProcess } from './processes';
import { registerNamespace } from '../temporal/namespace';

const run = promisify(execFile);

/** The server's services, each its own process (the production topology). */
export const CLUSTER_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

export interface ClusterPorts {
  readonly grpc: Record<ClusterService, number>;
  readonly membership: Record<ClusterService, number>;
  readonly metrics: Record<ClusterService, number>;
  readonly frontendHttp: number;
}

export interface TemporalClusterOptions {
  /** The engine's PostgreSQL (a role that may create databases): Temporal gets its own two databases there. */
  readonly postgresUrl: string;
  /** Where the generated configuration and the services' logs live. */
  readonly dir: string;
  readonly ports: ClusterPorts;
  readonly namespace?: string;
  readonly numHistoryShards?: number;
  readonly onLine?: (service: ClusterService | 'setup', line: string) => void;
}

export interface TemporalCluster {
  readonly address: string;
  readonly namespace: string;
  readonly processes: readonly (ManagedProcess & { readonly service: ClusterService })[];
  readonly ports: ClusterPorts;
  stop(): Promise<void>;
}

export const TEMPORAL_DATABASES = ['temporal', 'temporal_visibility'] as const;

/** The standard ports of a cluster on one host, from the frontend's (7233 by default). */
export function standardPorts(frontend = 7233): ClusterPorts {
  const grpc = { frontend, history: frontend + 1, matching: frontend + 2, worker: frontend + 6 };
  return {
    grpc,
    membership: { frontend: frontend - 300, history: frontend - 299, matching: frontend - 298, worker: frontend - 294 },
    metrics: { frontend: frontend + 770, history: frontend + 771, matching: frontend + 772, worker: frontend + 773 },
    frontendHttp: frontend + 10,
  };
}

/** A free loopback port below 32768 (Temporal stores membership ports as a PostgreSQL smallint), where freePort could find none there. */
async function freeSmallPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await canBind(port))) {
      taken.add(port);
      return port;
    }
  }
}

/** Free loopback ports for every service (tests). */
export async function freeClusterPorts(): Promise<ClusterPorts> {
  // Distinct across every service and role: the OS may hand the same free port to two consecutive probes.
  const taken = new Set<number>();
  const distinct = async () => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const map = async (pick: () => Promise<number>) => {
    const out: Partial<Record<ClusterService, number>> = {};
    for (const s of CLUSTER_SERVICES) out[s] = await pick();
    return out as Record<ClusterService, number>;
  };
  return { grpc: await map(distinct), membership: await map(async () => { const port = await distinct(); return port < 32_768 ? port : freeSmallPort(taken); }), metrics: await map(distinct), frontendHttp: await distinct() };
}

function requireServer(): TemporalServerBinaries {
  const built = builtServer();
  if (!built) throw new Error(`the Temporal server ${TEMPORAL_SERVER_VERSION} is not built: run npm run temporal:build (once, about 8 minutes)`);
  return built;
}

/**
 * One service's configuration (config/<service>.yaml): the same persistence and ports for all, but
 * each process serves its own metrics port. Archival is off; nothing is written outside `dir`.
 */
export function serviceConfig(
  service: ClusterService,
  options: Pick<TemporalClusterOptions, 'postgresUrl' | 'ports' | 'numHistoryShards'>,
  dynamicConfig: string,
  { frontendOnAllInterfaces = false }: { frontendOnAllInterfaces?: boolean } = {},
): string {
  const url = new URL(options.postgresUrl);
  const sql = (db: string, conns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName: db,
      connectAddr: `${url.hostname}:${url.port || 5432}`,
      connectProtocol: 'tcp',
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      maxConns: conns,
      maxIdleConns: conns,
      maxConnLifetime: '1h',
    },
  });
  const { ports } = options;
  // In docker compose the services share one network namespace (membership on loopback) and the frontend alone is reachable from outside it.
  const bind = (s: ClusterService) => (s === 'frontend' && frontendOnAllInterfaces ? { bindOnIP: '0.0.0.0' } : { bindOnLocalHost: true });
  const rpc = (s: ClusterService) => ({ grpcPort: ports.grpc[s], membershipPort: ports.membership[s], ...bind(s), ...(s === 'frontend' ? { httpPort: ports.frontendHttp } : {}) });
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: options.numHistoryShards ?? 4,
      datastores: { 'postgres-default': sql('temporal', 20), 'postgres-visibility': sql('temporal_visibility', 4) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${ports.metrics[service]}` } },
    },
    services: Object.fromEntries(CLUSTER_SERVICES.map((s) => [s, { rpc: rpc(s) }])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.grpc.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: dynamicConfig, pollInterval: '10s' },
  };
  // JSON is YAML: the server's loader reads it as is.
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** The dynamic configuration: the sample's identifier length, nothing else changed from the server's defaults. */
export const DYNAMIC_CONFIG = `limit.maxIDLength:\n  - value: 255\n    constraints: {}\n`;

/** Whether the cluster's metadata row is in the `temporal` database (written once, by the first service up). */
async function clusterMetadataWritten(postgresUrl: string): Promise<boolean> {
  const url = new URL(postgresUrl);
  url.pathname = '/temporal';
  const client = new PgClient({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM cluster_metadata_info');
    return Number(rows[0]!.n) > 0;
  } finally {
    await client.end();
  }
}

async function databaseExists(admin: PgClient, db: string): Promise<boolean> {
  const { rows } = await admin.query<{ exists: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists', [db]);
  return rows[0]!.exists;
}

async function schemaApplied(options: TemporalClusterOptions, db: string): Promise<boolean> {
  const url = new URL(options.postgresUrl);
  url.pathname = `/${db}`;
  const client = new PgClient({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ present: boolean }>("SELECT to_regclass('public.schema_version') IS NOT NULL AS present");
    return rows[0]!.present;
  } finally {
    await client.end();
  }
}

/**
 * Temporal's two databases on the engine's PostgreSQL, created and migrated by the module's own
 * temporal-sql-tool: create-database and setup-schema the first time, update-schema every time
 * (a no-op when current).
 */
export async function prepareTemporalDatabases(options: TemporalClusterOptions, server: TemporalServerBinaries = requireServer()): Promise<void> {
  const url = new URL(options.postgresUrl);
  const say = (line: string) => options.onLine?.('setup', line);
  // The password goes in the tool's environment (SQL_PASSWORD), never on a command line (ps, error messages).
  const base = ['--plugin', 'postgres12', '--ep', url.hostname, '-p', url.port || '5432', '-u', decodeURIComponent(url.username)];
  const toolEnv = { ...process.env, SQL_PASSWORD: decodeURIComponent(url.password) };
  const admin = new PgClient({ connectionString: options.postgresUrl });
  await admin.connect();
  try {
    for (const db of TEMPORAL_DATABASES) {
      const tool = (...args: string[]) =>
        run(server.sqlTool, [...base, '--db', db, ...args], { maxBuffer: 16 * 1024 * 1024, env: toolEnv }).catch((e: { code?: unknown; stderr?: string }) => {
          // The tool's own words (it never prints the password), not Node's message, which repeats the command line.
          throw new Error(`temporal-sql-tool ${args[0]} on ${db} failed (exit ${String(e.code)}): ${(e.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`);
        });
      if (!(await databaseExists(admin, db))) {
        say(`creating database ${db}`);
        await tool('create-database');
      }
      if (!(await schemaApplied(options, db))) await tool('setup-schema', '-v', '0.0');
      const versioned = path.join(server.moduleDir, 'schema', 'postgresql', 'v12', db === 'temporal' ? 'temporal' : 'visibility', 'versioned');
      await tool('update-schema', '-d', versioned);
      say(`${db}: schema up to date`);
    }
  } finally {
    await admin.end();
  }
}

/**
 * The Temporal server built from go.temporal.io/server, on PostgreSQL, with its frontend, history,
 * matching and worker services as separate processes; resolves once the namespace answers.
 */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  const server = requireServer();
  for (const port of [...Object.values(options.ports.grpc), ...Object.values(options.ports.membership), ...Object.values(options.ports.metrics), options.ports.frontendHttp]) {
    if (await isPortOpen(port)) throw new Error(`port ${port} is taken: the Temporal cluster needs it`);
  }
  await prepareTemporalDatabases(options, server);
  const configDir = path.join(options.dir, 'config');
  fs.mkdirSync(configDir, { recursive: true });
  const dynamicConfig = path.join(configDir, 'dynamic.yaml');
  fs.writeFileSync(dynamicConfig, DYNAMIC_CONFIG);
  // The files hold the database password: readable by this user only.
  for (const service of CLUSTER_SERVICES) fs.writeFileSync(path.join(configDir, `${service}.yaml`), serviceConfig(service, options, dynamicConfig), { mode: 0o600 });
  const launch = (service: ClusterService) => {
    const onLine: LineSink = (line) => options.onLine?.(service, line);
    const proc = startProcess(`temporal-${service}`, server.server, ['--root', options.dir, '--config', 'config', '--env', service, '--allow-no-auth', 'start', '--service', service], {
      cwd: options.dir,
      guarded: true,
      onLine,
    });
    return Object.assign(proc, { service });
  };
  // On a new database every service writes the cluster's metadata at start, and all but the first
  // die on the duplicate key: history starts alone until that row exists, then the others join.
  const history = launch('history');
  try {
    await waitFor('Temporal cluster metadata', () => clusterMetadataWritten(options.postgresUrl), { exited: history.exited, timeoutMs: 120_000, intervalMs: 250 });
  } catch (e) {
    await history.stop(20_000);
    throw e;
  }
  const processes = [history, ...CLUSTER_SERVICES.filter((s) => s !== 'history').map(launch)];
  const stop = async () => {
    // The system worker first (it calls the frontend), then the frontend (no new calls), then the rest.
    const of = (service: ClusterService) => processes.find((p) => p.service === service)!;
    await of('worker').stop(20_000);
    await of('frontend').stop(20_000);
    await Promise.all([of('matching').stop(20_000), of('history').stop(20_000)]);
  };
  const anyExit = Promise.race(processes.map((p) => p.exited));
  const address = `127.0.0.1:${options.ports.grpc.frontend}`;
  const namespace = options.namespace ?? 'default';
  try {
    await waitFor('Temporal frontend', () => isPortOpen(options.ports.grpc.frontend), { exited: anyExit, timeoutMs: 120_000, intervalMs: 250 });
    await registerNamespace(address, namespace, anyExit);
  } catch (e) {
    await stop();
    throw e;
  }
  return { address, namespace, processes, ports: options.ports, stop };
}

/** The configuration docker-compose.yml mounts at /etc/temporal/config: the same keys as up:cluster, for compose's hosts. */
export const COMPOSE_POSTGRES_URL = 'postgres://dpa:dpa@postgres:5432/dpa';
export function composeConfigFiles(): Record<string, string> {
  const files: Record<string, string> = { 'dynamic.yaml': DYNAMIC_CONFIG };
  for (const service of CLUSTER_SERVICES) {
    files[`${service}.yaml`] = serviceConfig(service, { postgresUrl: COMPOSE_POSTGRES_URL, ports: standardPorts(7233) }, '/etc/temporal/config/dynamic.yaml', { frontendOnAllInterfaces: true });
  }
  return files;
}
