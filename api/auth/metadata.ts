/** Route metadata keys read by AuthGuard and RolesGuard. */
export const IS_PUBLIC_KEY = 'itsm:auth:public';
export const ROLES_KEY = 'itsm:auth:roles';
