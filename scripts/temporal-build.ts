import { buildTemporalServer } from '#infra/temporal/server-build';

/** `npm run temporal:build`: temporal-server and temporal-sql-tool from go.temporal.io/server into .tools/ (no-op when built). */
const started = Date.now();
buildTemporalServer((line) => console.log(line))
  .then((b) => {
    const took = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`${b.built ? `built in ${took} s` : 'already built'}:\n  ${b.server}\n  ${b.sqlTool}\n  schemas and configs: ${b.moduleDir}`);
  })
  .catch((e: unknown) => {
    console.error(`temporal:build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
