/**
 * A malformed expression. Thrown at parse time (and so at deploy time through `checkExpression`)
 * and when a malformed expression is evaluated, so the element that owns it fails visibly.
 */
export class ExpressionSyntaxError extends Error {
  override readonly name = 'ExpressionSyntaxError';

  /**
   * @param reason what is wrong, e.g. `unexpected "("`
   * @param source the expression text (the part inside `${...}`, or after `=`)
   * @param position zero-based offset in `source` where the problem was found
   */
  constructor(
    readonly reason: string,
    readonly source: string,
    readonly position: number,
  ) {
    super(`${reason} at position ${position} in "${source}"`);
  }
}

/**
 * A run-time problem in a well-formed expression (e.g. `"a" * 2`). The public evaluator never lets
 * it escape: the expression yields `null` and the error is passed to the `onError` callback.
 */
export class ExpressionEvaluationError extends Error {
  override readonly name = 'ExpressionEvaluationError';
}
