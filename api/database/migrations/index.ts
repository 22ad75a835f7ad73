import { InitialSchema1763712000000 } from './1763712000000-initial-schema';
import { BusinessCalendars1763750000000 } from './1763750000000-business-calendars';
import { TimerJobs1763760000000 } from './1763760000000-timer-jobs';
import { Identity1763800000000 } from './1763800000000-identity';
import { DefinitionOwners1763900000000 } from './1763900000000-definition-owners';
import { Messaging1764000000000 } from './1764000000000-messaging';
import { CallActivities1764100000000 } from './1764100000000-call-activities';
import { DecisionDefinitions1764500000000 } from './1764500000000-decision-definitions';
import { Forms1764600000000 } from './1764600000000-forms';
import { Records1764700000000 } from './1764700000000-records';
import { Drafts1764800000000 } from './1764800000000-drafts';
import { KeyedHistory1765000000000 } from './1765000000000-keyed-history';
import { SessionsAndKnownLogins1765000000001 } from './1765000000001-sessions-and-known-logins';
import { ListReads1765100000000 } from './1765100000000-list-reads';
import { ExternalTasks1765200000000 } from './1765200000000-external-tasks';
import { HistoryPartitions1765300000000 } from './1765300000000-history-partitions';
import { IdentityVersion1765400000000 } from './1765400000000-identity-version';
import { ListReadsAtScale1765640000000 } from './1765640000000-list-reads-at-scale';
import { TaskParticipants1765700000000 } from './1765700000000-task-participants';
import { KpiIndexes1765700000001 } from './1765700000001-kpi-indexes';
import { SnapshotLz41767000100000 } from './1767000100000-snapshot-lz4';
import { TriggerFunctionPlans1767000200000 } from './1767000200000-trigger-function-plans';
import { TaskListOrders1767100000000 } from './1767100000000-task-list-orders';
import { RecordParticipants1767100000001 } from './1767100000001-record-participants';
import { TriggerCosts1767200000000 } from './1767200000000-trigger-costs';
import { WriteChecks1767300000000 } from './1767300000000-write-checks';

/** Every migration, oldest first. Add new ones at the end; never edit a released one. */
export const migrations = [InitialSchema1763712000000, BusinessCalendars1763750000000, TimerJobs1763760000000, Identity1763800000000, DefinitionOwners1763900000000, Messaging1764000000000, CallActivities1764100000000, DecisionDefinitions1764500000000, Forms1764600000000, Records1764700000000, Drafts1764800000000, KeyedHistory1765000000000, SessionsAndKnownLogins1765000000001, ListReads1765100000000, ExternalTasks1765200000000, HistoryPartitions1765300000000, IdentityVersion1765400000000, ListReadsAtScale1765640000000, TaskParticipants1765700000000, KpiIndexes1765700000001, SnapshotLz41767000100000, TriggerFunctionPlans1767000200000, TaskListOrders1767100000000, RecordParticipants1767100000001, TriggerCosts1767200000000, WriteChecks1767300000000];
