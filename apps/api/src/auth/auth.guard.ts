import { createParamDecorator, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request } from 'express';
import { ApiKeys, type Principal, type Role } from '#infra/auth/api-keys';
import { ApiError } from '../common/api-error';
import { DataSource } from 'typeorm';
import { type AppConfig } from '#infra/config/config';
import { APP_CONFIG } from '../config/config.module';
import { cookieOf, uiCookies, UiSessions } from '../ui/sessions';
import { PUBLIC_KEY, ROLES_KEY, SESSION_KEY } from './roles.decorator';

type Authenticated = Request & { principal?: Principal };

/** `Authorization: Bearer <api key>`: 401 without a valid key, 403 for a role the route does not allow. */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly sessions: UiSessions;
  /** The browser session's cookie name (`__Host-` prefixed under HTTPS). */
  private readonly sessionCookie: string;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ApiKeys) private readonly keys: ApiKeys,
    @Inject(DataSource) dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.sessions = new UiSessions(dataSource, config.ui.sessionIdleMs);
    this.sessionCookie = uiCookies(config.ui.baseUrl).session;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<Authenticated>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([\x21-\x7e]{1,200})$/.exec(header) : null;
    const cookie = header === undefined && this.reflector.getAllAndOverride<boolean>(SESSION_KEY, targets) ? cookieOf(request, this.sessionCookie) : undefined;
    let principal: Principal | null;
    if (cookie) {
      // A browser session (the Temporal UI calling the codec with the engine's cookie).
      const session = await this.sessions.touch(cookie);
      if (!session) throw new ApiError(401, 'unauthenticated', 'The browser session is unknown or expired: sign in again at /ui.');
      principal = { keyId: `ui:${session.subjectHash.slice(0, 16)}`, role: session.role, name: 'browser session' };
    } else {
      if (!match) throw new ApiError(401, 'unauthenticated', 'An API key is required: Authorization: Bearer <api key>.');
      principal = await this.keys.verify(match[1]!);
      if (!principal) throw new ApiError(401, 'unauthenticated', 'The API key is unknown or revoked.');
    }
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [];
    if (!roles.includes(principal.role)) {
      throw new ApiError(403, 'forbidden', `This operation needs the role ${roles.join(' or ')}; the key has the role ${principal.role}.`);
    }
    request.principal = principal;
    return true;
  }
}

/** The authenticated caller of the current request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<Authenticated>().principal;
  if (!principal) throw new ApiError(401, 'unauthenticated', 'An API key is required.');
  return principal;
});
