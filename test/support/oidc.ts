import * as path from 'node:path';
import { freePort, isPortOpen, startProcess, waitFor, type ManagedProcess } from '#infra/dev/processes';
import { projectRoot } from '#infra/dev/project-root';

/** The development OpenID provider (scripts/services/oidc-provider.mjs), a real one, for a stack's UI. */
export async function startOidcProvider(redirectUri: string, port?: number): Promise<ManagedProcess & { issuer: string }> {
  const p = port ?? (await freePort());
  const lines: string[] = [];
  const proc = startProcess('oidc', process.execPath, [path.join(projectRoot(), 'scripts/services/oidc-provider.mjs'), '--port', String(p), '--redirect-uri', redirectUri], { guarded: true, onLine: (l) => lines.push(l) });
  await waitFor('the OpenID provider', () => isPortOpen(p), { exited: proc.exited, timeoutMs: 20_000 }).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}\n${lines.join('\n')}`);
  });
  return Object.assign(proc, { issuer: `http://127.0.0.1:${p}` });
}
