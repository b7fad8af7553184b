import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '#infra/config/config';
import { exitWithSupervisor } from '#infra/dev/supervised';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit('api');
  exitWithSupervisor();
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  const url = `http://${config.http.host}:${config.http.port}`;
  app.get(Logger).log({ url, docs: `${url}/docs` }, 'api listening');
}

main().catch((e: unknown) => {
  console.error('api: failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
