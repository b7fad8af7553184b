import { parseArgs } from 'node:util';
import { ApiKeys, ROLES, type Role } from '#infra/auth/api-keys';
import { loadConfigOrExit } from '#infra/config/config';
import { createDataSource } from '#infra/database/data-source';

/**
 * `npm run api-keys -- create --name "billing system" --role billing` | `list` | `revoke <id>`.
 * The key is printed once; only its hash is stored.
 */
async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { name: { type: 'string' }, role: { type: 'string' } } });
  const [command, id] = positionals;
  const config = loadConfigOrExit('api-keys');
  const dataSource = createDataSource({ url: config.database.url, poolSize: 1, applicationName: 'dpa-api-keys' });
  await dataSource.initialize();
  const keys = new ApiKeys(dataSource, { allowDevelopmentKeys: false });
  try {
    if (command === 'create') {
      if (!values.name || !ROLES.includes(values.role as Role)) throw new Error(`create needs --name and --role (${ROLES.join(', ')})`);
      const { key, record } = await keys.create(values.name, values.role as Role);
      console.log(JSON.stringify({ key, apiKey: record }, null, 2));
    } else if (command === 'list') {
      // Every key, page after page.
      const all: unknown[] = [];
      for (let after = null as Parameters<typeof keys.list>[1]; ; ) {
        const page = await keys.list(500, after);
        all.push(...page.map(({ after: _, ...record }) => record));
        if (page.length < 500) break;
        after = page.at(-1)!.after;
      }
      console.log(JSON.stringify(all, null, 2));
    } else if (command === 'revoke' && id) {
      const record = await keys.revoke(id);
      if (!record) throw new Error(`no API key ${id}`);
      console.log(JSON.stringify(record, null, 2));
    } else {
      throw new Error('usage: api-keys create --name <name> --role <role> | list | revoke <id>');
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(`api-keys: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
