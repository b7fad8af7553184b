import { SetMetadata } from '@nestjs/common';
import { type Role } from '../../../../libs/infra/src/auth/api-keys';

export const ROLES_KEY = 'dpa:roles';
export const PUBLIC_KEY = 'dpa:public';

/** The roles allowed on a route (DESIGN §6); every other authenticated role gets 403. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** Any authenticated role. */
export const AnyRole = () => SetMetadata(ROLES_KEY, ['account_manager', 'billing', 'dpo', 'admin']);
/** No key needed (health, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
