import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { EngineError, EngineErrorCode } from '../../engine';
import { NAME_PATTERN, ROLES } from '../auth/auth-user';
import { Roles } from '../auth/decorators';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/passwords';
import { Pagination, parse, uuid, type Page } from '../common/validation';
import { UsersService, type UserRecord } from './users.service';
import { pageOf, ref } from '../openapi/schemas';

const Name = z.string().regex(NAME_PATTERN, 'must be 1-128 characters of letters, digits and . _ @ + -');
const Password = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(MAX_PASSWORD_LENGTH);
const RoleList = z.array(z.enum(ROLES)).max(ROLES.length).transform((r) => [...new Set(r)]);
const DisplayName = z.string().trim().min(1).max(200).nullable();
const Email = z.email().max(320).nullable();

const CreateUser = z
  .object({
    username: Name,
    displayName: DisplayName.optional(),
    email: Email.optional(),
    /** Absent: the user can only sign in through the external OpenID Connect provider. */
    password: Password.optional(),
    roles: RoleList.default([]),
    groups: z.array(Name).max(200).default([]),
    disabled: z.boolean().default(false),
  })
  .strict();

const PatchUser = z
  .object({ displayName: DisplayName.optional(), email: Email.optional(), roles: RoleList.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'name at least one of displayName, email, roles, disabled');

const ResetPassword = z.object({ newPassword: Password }).strict();

function userId(value: string): string {
  if (uuid.safeParse(value).success) return value;
  throw new EngineError(EngineErrorCode.UserNotFound, `no user with id "${value}"`);
}

/** User administration: administrators only. */
@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/users')
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Every user (by username), with roles and groups; never a password hash.' })
  @ApiQuery({ name: 'page', required: false })
  @ApiQuery({ name: 'size', required: false })
  @ApiOkResponse({ schema: pageOf('User') })
  list(@Query() q: unknown): Promise<Page<UserRecord>> {
    return this.users.list(parse(Pagination, q, 'query'));
  }

  @Post()
  @ApiOperation({ summary: 'Create a user {username, displayName?, email?, password? (8+), roles?, groups?, disabled?}; 409 when the username (any case) exists.' })
  @ApiBody({ schema: { example: { username: 'carol', displayName: 'Carol', password: 'a-long-secret', roles: ['staff'], groups: ['servicedesk'] } } })
  @ApiCreatedResponse({ schema: ref('User') })
  create(@Body() body: unknown): Promise<UserRecord> {
    return this.users.create(parse(CreateUser, body, 'user'));
  }

  @Get(':id')
  @ApiOkResponse({ schema: ref('User') })
  get(@Param('id') id: string): Promise<UserRecord> {
    return this.users.get(userId(id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change displayName, email, roles or disabled. Disabling revokes the sessions; the last enabled admin cannot be disabled or demoted (409).' })
  @ApiOkResponse({ schema: ref('User') })
  update(@Param('id') id: string, @Body() body: unknown): Promise<UserRecord> {
    return this.users.update(userId(id), parse(PatchUser, body, 'user change'));
  }

  @Post(':id/password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Set a new password {newPassword} (administrator reset); revokes every session of the user.' })
  async resetPassword(@Param('id') id: string, @Body() body: unknown): Promise<void> {
    const { newPassword } = parse(ResetPassword, body, 'password reset');
    await this.users.setPassword(userId(id), newPassword);
  }
}
