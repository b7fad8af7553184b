import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { ROLES, type Role } from '#infra/auth/api-keys';

export const ROLES_KEY = 'dpa:roles';
export const PUBLIC_KEY = 'dpa:public';

/** The roles allowed on a route (DESIGN §6), also written into the OpenAPI document; other roles get 403. */
export const Roles = (...roles: Role[]) => applyDecorators(SetMetadata(ROLES_KEY, roles), ApiExtension('x-roles', roles));
/** Any authenticated role. */
export const AnyRole = () => Roles(...ROLES);
/** No key needed (health, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const SESSION_KEY = 'dpa:browser-session';
/** A browser session of an allowed role may call this route too (the Temporal UI's codec calls, DESIGN §7). */
export const SessionAllowed = () => SetMetadata(SESSION_KEY, true);
