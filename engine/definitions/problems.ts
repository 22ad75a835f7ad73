import { invalidDefinition, type DefinitionProblem, type EngineError } from '../errors';

/** A refusal lists at most this many problems (a 169 KB vendor export can yield thousands). */
export const MAX_REPORTED_PROBLEMS = 100;

/**
 * Collects what the validation stages find: refusals (the deploy fails) and warnings (stored with
 * the definition). Identical findings reported twice (e.g. by two rules) are kept once.
 */
export class ProblemSink {
  readonly refusals: DefinitionProblem[] = [];
  readonly warnings: DefinitionProblem[] = [];
  private readonly seen = new Set<string>();

  refuse(rule: string, message: string, elementId?: string): void {
    this.add(this.refusals, rule, message, elementId);
  }

  warn(rule: string, message: string, elementId?: string): void {
    this.add(this.warnings, rule, message, elementId);
  }

  /** The refusal to throw: every problem found, up to {@link MAX_REPORTED_PROBLEMS}. */
  toError(): EngineError {
    const problems = this.refusals;
    if (problems.length <= MAX_REPORTED_PROBLEMS) return invalidDefinition(problems);
    const shown = problems.slice(0, MAX_REPORTED_PROBLEMS - 1);
    const more = problems.length - shown.length;
    return invalidDefinition([...shown, { rule: 'too-many-problems', message: `${more} more problems are not listed` }]);
  }

  private add(target: DefinitionProblem[], rule: string, message: string, elementId: string | undefined): void {
    const key = `${target === this.refusals ? 'r' : 'w'}\u0000${rule}\u0000${elementId ?? ''}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    target.push(elementId === undefined ? { rule, message } : { elementId, rule, message });
  }
}
