import * as client from 'openid-client';
import { type AppConfig } from '#infra/config/config';

/**
 * The UI's OpenID Connect client (authorization code with PKCE, `openid-client`): discovery once,
 * then one authorization URL per sign-in and one code exchange per callback.
 */
export class OidcClient {
  private configuration: Promise<client.Configuration> | null = null;

  constructor(private readonly ui: AppConfig['ui']) {}

  get redirectUri(): string {
    return `${this.ui.baseUrl}/ui/callback`;
  }

  private discover(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(new URL(this.ui.issuer!), this.ui.clientId, this.ui.clientSecret, undefined, new URL(this.ui.issuer!).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((e: unknown) => {
        // Tried again on the next sign-in: the provider may come up after the engine.
        this.configuration = null;
        throw e;
      });
    return this.configuration;
  }

  async authorizationUrl(): Promise<{ url: string; state: string; codeVerifier: string; nonce: string }> {
    const config = await this.discover();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid profile dpa',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, codeVerifier, nonce };
  }

  /** The signed-in user's subject and role claim, from the code the provider sent back. */
  async complete(callbackUrl: string, expected: { state: string; codeVerifier: string; nonce: string }): Promise<{ subject: string; role: unknown }> {
    const config = await this.discover();
    const tokens = await client.authorizationCodeGrant(config, new URL(callbackUrl), { pkceCodeVerifier: expected.codeVerifier, expectedState: expected.state, expectedNonce: expected.nonce });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token');
    const role = claims[this.ui.roleClaim] ?? (await client.fetchUserInfo(config, tokens.access_token, claims.sub))[this.ui.roleClaim];
    return { subject: claims.sub, role };
  }
}
