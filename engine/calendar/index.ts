/** Business calendars and SLA clocks: pure time arithmetic for SLA targets (ITSM reference §1.4, §1.5). */
export {
  WEEKDAYS,
  MAX_WINDOWS_PER_DAY,
  MAX_HOLIDAYS,
  parseBusinessCalendar,
  isWorkingTime,
  addBusinessTime,
  addBusinessDays,
  addBusinessDuration,
  businessTimeBetween,
  parseIsoDuration,
  type BusinessCalendar,
  type BusinessDuration,
  type Weekday,
  type WorkingWindow,
} from './business-calendar';
export {
  startSlaClock,
  pause,
  resume,
  isPaused,
  dueAt,
  elapsedBusinessMs,
  percentElapsed,
  instantAtElapsed,
  escalationTimes,
  toSlaClockRecord,
  fromSlaClockRecord,
  type SlaClock,
  type SlaPause,
  type SlaClockRecord,
} from './sla-clock';
export { isValidTimeZone } from './time-zone';
