import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { NAME_PATTERN } from '../auth/auth-user';
import { Roles } from '../auth/decorators';
import { parse } from '../common/validation';
import { UsersService, type GroupRecord } from './users.service';
import { listOf, ref } from '../openapi/schemas';

const Name = z.string().regex(NAME_PATTERN, 'must be 1-128 characters of letters, digits and . _ @ + -');
const CreateGroup = z.object({ name: Name, description: z.string().trim().max(1000).nullable().optional() }).strict();
const AddMember = z.object({ username: Name }).strict();

/**
 * Groups and their members: what candidateGroups in diagrams name. Administrators only.
 * Names are matched case-insensitively.
 */
@ApiTags('groups')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/groups')
export class GroupsController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Get()
  // Process owners pick candidate groups from this list in the modeler's properties panel.
  @Roles('admin', 'process-owner')
  @ApiOperation({ summary: 'Every group with its members (usernames). Administrators and process owners.' })
  @ApiOkResponse({ schema: listOf('Group') })
  list(): Promise<GroupRecord[]> {
    return this.users.listGroups();
  }

  @Post()
  @ApiOperation({ summary: 'Create a group {name, description?}; 409 when the name (any case) exists.' })
  @ApiBody({ schema: { example: { name: 'change-advisory-board', description: 'CAB members' } } })
  @ApiCreatedResponse({ schema: ref('Group') })
  create(@Body() body: unknown): Promise<GroupRecord> {
    return this.users.createGroup(parse(CreateGroup, body, 'group'));
  }

  @Get(':name')
  @ApiOkResponse({ schema: ref('Group') })
  get(@Param('name') name: string): Promise<GroupRecord> {
    return this.users.getGroup(parse(Name, name, 'group name'));
  }

  @Post(':name/members')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Add a user {username} to the group (no-op when already a member); answers the group.' })
  @ApiOkResponse({ schema: ref('Group') })
  addMember(@Param('name') name: string, @Body() body: unknown): Promise<GroupRecord> {
    const { username } = parse(AddMember, body, 'member');
    return this.users.addMember(parse(Name, name, 'group name'), username);
  }

  @Delete(':name/members/:username')
  @ApiOperation({ summary: 'Remove a user from the group (no-op when not a member); answers the group.' })
  @ApiOkResponse({ schema: ref('Group') })
  removeMember(@Param('name') name: string, @Param('username') username: string): Promise<GroupRecord> {
    return this.users.removeMember(parse(Name, name, 'group name'), parse(Name, username, 'username'));
  }
}
