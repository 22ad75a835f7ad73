import { BpmnBusinessError, type ServiceHandler } from '../services/service-handler';
import { requestedLinks } from './records';
import { MAX_STATE_LENGTH, RECORD_NUMBER, STATE_PATTERN } from './types';

/**
 * `linkRecord` (inputs `to`: a record number, `kind`: e.g. caused_by, raised, related): links
 * this instance's record to another one. The link is stored (once, read both ways) when the
 * command that ran the task commits; an unknown record fails the command with a 4xx.
 */
export const linkRecordHandler: ServiceHandler = {
  name: 'linkRecord',
  description: "Links this instance's record to the record `to` (inputs: to, kind).",
  inputs: [
    { name: 'to', description: 'Record number to link to, e.g. ${sourceRecord} or INC0000001', required: true },
    { name: 'kind', description: 'Link kind, e.g. caused_by, raised, related (default related)' },
  ],
  run({ inputs, variables }) {
    const to = typeof inputs.to === 'string' ? inputs.to.trim() : '';
    if (!RECORD_NUMBER.test(to)) throw new BpmnBusinessError('INVALID_INPUT', `input "to" must be a record number such as INC0000001 (got ${JSON.stringify(inputs.to ?? null)})`);
    const kind = typeof inputs.kind === 'string' && inputs.kind.trim() ? inputs.kind.trim() : 'related';
    if (kind.length > MAX_STATE_LENGTH || !STATE_PATTERN.test(kind)) throw new BpmnBusinessError('INVALID_INPUT', `input "kind" "${kind}" must be a short word (letters, digits, spaces, _ and -)`);
    const existing = requestedLinks(variables.recordLinks);
    if (existing.some((l) => l.to === to && l.kind === kind)) return { recordLinks: existing };
    return { recordLinks: [...existing, { to, kind }] };
  },
};
