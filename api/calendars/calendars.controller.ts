import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, NotFoundException, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { addBusinessDuration, businessTimeBetween, EngineError, EngineErrorCode, parseBusinessCalendar, type Clock } from '../../engine';
import { Roles } from '../auth/decorators';
import { parse } from '../common/validation';
import { CLOCK } from '../engine-host/tokens';
import { CalendarService, type StoredCalendar } from './calendar.service';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const AddBody = z
  .object({
    from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-20T16:00:00+01:00' }).optional(),
    duration: z.string().min(1).max(40),
  })
  .strict();

export interface AddResponse {
  calendar: string;
  from: string;
  duration: string;
  dueAt: string;
  /** Working time between `from` and `dueAt` (for `P…D` durations, what those days amount to). */
  businessMs: number;
}

const EXAMPLE = {
  timeZone: 'Europe/Berlin',
  kind: 'working-hours',
  week: {
    mon: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }],
    tue: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }],
    wed: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }],
    thu: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }],
    fri: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '15:00' }],
  },
  holidays: ['2026-12-24', '2026-12-25', '2026-12-26'],
};

/** Business calendars for SLA targets (ITSM reference §1.5). Every signed-in user reads and checks them; administrators change them. */
@ApiTags('calendars')
@ApiBearerAuth()
@Controller('api/calendars')
export class CalendarsController {
  constructor(
    @Inject(CalendarService) private readonly calendars: CalendarService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every business calendar, by name' })
  list(): Promise<StoredCalendar[]> {
    return this.calendars.list();
  }

  @Get(':name')
  get(@Param('name') name: string): Promise<StoredCalendar> {
    return this.calendars.find(nameParam(name));
  }

  @Put(':name')
  @Roles('admin')
  @ApiOperation({
    summary: 'Create (201) or replace (200) a calendar. Windows are local times in timeZone, end exclusive ("24:00" allowed); holidays are whole local dates. The name comes from the URL.',
  })
  @ApiBody({ schema: { example: EXAMPLE } })
  async put(@Param('name') name: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<StoredCalendar> {
    const { createdAt: _c, updatedAt: _u, builtIn: _b, ...definition } = (body ?? {}) as Record<string, unknown>; // read-only fields of a GET answer
    if (definition.name !== undefined && definition.name !== name) {
      throw new EngineError(EngineErrorCode.InvalidRequest, `invalid calendar: name: "${String(definition.name)}" does not match the URL ("${name}")`, {
        details: { issues: [{ field: 'name', message: 'does not match the URL' }] },
      });
    }
    const { calendar, created } = await this.calendars.put(parseBusinessCalendar({ ...definition, name }), this.clock.now());
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    if (created) res.location(`/api/calendars/${encodeURIComponent(name)}`);
    return calendar;
  }

  @Delete(':name')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a calendar (204). The built-in 24x7 and business-hours calendars answer 409.' })
  async delete(@Param('name') name: string): Promise<void> {
    await this.calendars.delete(nameParam(name));
  }

  @Post(':name/add')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Check a calendar: from (default now) plus an ISO 8601 duration (PT4H = 4 business hours, P2D = 2 business days) → dueAt' })
  @ApiBody({ schema: { example: { from: '2026-11-20T16:00:00+01:00', duration: 'PT4H' } } })
  async add(@Param('name') name: string, @Body() body: unknown): Promise<AddResponse> {
    const calendar = await this.calendars.find(nameParam(name)); // the stored version, not the cached one
    const b = parse(AddBody, body, 'add request');
    const from = b.from ? new Date(b.from) : this.clock.now();
    const dueAt = addBusinessDuration(calendar, from, b.duration);
    return { calendar: calendar.name, from: from.toISOString(), duration: b.duration, dueAt: dueAt.toISOString(), businessMs: businessTimeBetween(calendar, from, dueAt) };
  }
}

/** A name that no calendar can have is simply not found. */
function nameParam(name: string): string {
  if (NAME.test(name)) return name;
  throw new NotFoundException(`no business calendar named "${name}"`);
}
