import * as fs from 'node:fs';
import * as path from 'node:path';
import { composeConfigFiles } from '#infra/dev/temporal-cluster';

/** `npm run temporal:compose-config`: writes deploy/temporal/config (docker-compose.yml mounts it); a unit test keeps it in step. */
const dir = path.resolve(__dirname, '..', 'deploy', 'temporal', 'config');
fs.mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(composeConfigFiles())) fs.writeFileSync(path.join(dir, name), text);
console.log(`wrote ${Object.keys(composeConfigFiles()).join(', ')} to ${path.relative(process.cwd(), dir)}`);
