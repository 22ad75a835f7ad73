import { BpmnBusinessError, type ServiceHandler } from './service-handler';

type Level = 'high' | 'medium' | 'low';

const LEVELS: Record<string, Level> = {
  '1': 'high', high: 'high', h: 'high',
  '2': 'medium', medium: 'medium', m: 'medium',
  '3': 'low', low: 'low', l: 'low',
};

/** ITSM_REFERENCE §2.3 default matrix: impact (rows) × urgency (columns) → priority. */
const MATRIX: Record<Level, Record<Level, 'P1' | 'P2' | 'P3' | 'P4'>> = {
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P4' },
};

function level(value: unknown, field: string): Level {
  const found = LEVELS[String(value ?? '').trim().toLowerCase()];
  if (!found) throw new BpmnBusinessError('INVALID_INPUT', `${field} must be high, medium or low (or 1, 2, 3), got ${JSON.stringify(value)}`);
  return found;
}

/**
 * Built-in handler `calculatePriority`: derives `priority` (P1..P4) from the process variables
 * `impact` and `urgency` with the ISO 20000 reference matrix, and flags `majorIncidentCandidate`
 * for P1. An invalid level raises the BPMN error `INVALID_INPUT`.
 */
export const calculatePriorityHandler: ServiceHandler = {
  name: 'calculatePriority',
  description: 'Sets priority (P1-P4) from impact and urgency (high/medium/low) using the reference priority matrix.',
  run({ variables }) {
    const priority = MATRIX[level(variables.impact, 'impact')][level(variables.urgency, 'urgency')];
    return { priority, majorIncidentCandidate: priority === 'P1' };
  },
};
