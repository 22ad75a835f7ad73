import { calculatePriorityHandler } from './calculate-priority.handler';
import type { ServiceHandler } from './service-handler';
import { linkRecordHandler } from '../records/link-record.handler';

/** Handlers shipped with the engine; hosts may register more. */
export const builtInHandlers: readonly ServiceHandler[] = [calculatePriorityHandler, linkRecordHandler];
