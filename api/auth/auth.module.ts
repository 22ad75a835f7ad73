import { Global, Module, type DynamicModule } from '@nestjs/common';
import { defaultAuthConfig, type AppConfig, type AuthConfig } from '../config/config';
import { Database } from '../database/database';
import { GroupsController } from '../users/groups.controller';
import { UsersController } from '../users/users.controller';
import { UsersService } from '../users/users.service';
import { AccessService } from './access';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { IdentitySeeder } from './identity-seeder';
import { LocalTokens } from './local-tokens';
import { OidcTokenVerifier } from './oidc-verifier';
import { RolesGuard } from './roles.guard';
import { loadSigningSecret } from './signing-secret';
import { UserCache } from './user-cache';
import { TOKEN_VERIFIERS, type TokenVerifier } from './token-verifier';
import { AUTH_CONFIG } from './tokens';

/**
 * Identity: users, groups, login and token verification, the guards (registered as APP_GUARD by
 * AppModule) and the object-level rules (AccessService). Global. Needs the Database of
 * EngineHostModule.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(config: AppConfig): DynamicModule {
    const auth: AuthConfig = config.auth ?? defaultAuthConfig(config);
    return {
      module: AuthModule,
      controllers: [AuthController, UsersController, GroupsController],
      providers: [
        { provide: AUTH_CONFIG, useValue: auth },
        UsersService,
        {
          provide: LocalTokens,
          inject: [Database, UsersService],
          useFactory: async (db: Database, users: UsersService) => {
            const cache = new UserCache(db, (id) => users.find(id));
            return new LocalTokens(await loadSigningSecret(db, auth.secret), auth.accessTokenTtlSeconds, (userId, sessionId) => cache.check(userId, sessionId));
          },
        },
        {
          provide: TOKEN_VERIFIERS,
          inject: [LocalTokens],
          useFactory: (local: LocalTokens): TokenVerifier[] => [local, ...(auth.oidc ? [new OidcTokenVerifier(auth.oidc)] : [])],
        },
        AuthService,
        AuthGuard,
        RolesGuard,
        IdentitySeeder,
        AccessService,
      ],
      exports: [AUTH_CONFIG, UsersService, LocalTokens, TOKEN_VERIFIERS, AuthService, AuthGuard, RolesGuard, AccessService],
    };
  }
}
