// A local OpenID provider for development and tests: a real one (npm `oidc-provider`, panva) with
// one user per role, its built-in development login pages, and one client (the engine's UI) using
// the authorization code flow with PKCE. Logins: account-manager, dpo, admin, billing (any
// password). The engine refuses these users, and this provider, when NODE_ENV=production.
// Usage: node oidc-provider.mjs --port 9400 --redirect-uri http://127.0.0.1:3000/ui/callback [--host 0.0.0.0 --issuer http://localhost:9400]
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9400' },
    'redirect-uri': { type: 'string', multiple: true, default: ['http://127.0.0.1:3000/ui/callback'] },
    'client-id': { type: 'string', default: 'dpa-ui' },
    'client-secret': { type: 'string', default: 'dev-oidc-client-secret' },
    host: { type: 'string', default: '127.0.0.1' },
    issuer: { type: 'string' },
  },
});
const issuer = values.issuer ?? `http://127.0.0.1:${values.port}`;

/** The development users: login → the role the engine reads from the `dpa_role` claim. */
export const USERS = { 'account-manager': 'account_manager', dpo: 'dpo', admin: 'admin', billing: 'billing' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: values['client-id'],
      client_secret: values['client-secret'],
      redirect_uris: values['redirect-uri'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['name'], dpa: ['dpa_role'] },
  scopes: ['openid', 'profile', 'dpa'],
  cookies: { keys: ['development-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, id) {
    if (!Object.hasOwn(USERS, id)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, name: id.replace('-', ' '), dpa_role: USERS[id] }) };
  },
  // The engine's UI is first-party: no consent page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile dpa');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
const server = provider.listen(Number(values.port), values.host, () => process.stdout.write(`OpenID provider at ${issuer} (development users: ${Object.keys(USERS).join(', ')})\n`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
