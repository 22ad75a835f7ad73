export { ExpressionEvaluationError, ExpressionSyntaxError } from './errors';
export {
  checkExpression, createEngineExpressions, evaluateExpression, type EngineExpressions, type ExpressionOptions,
} from './expressions';
export { checkFeel, evaluateFeel } from './feel';
export { evaluateJuel, parseJuel, type JuelAst, type JuelBinaryOperator, type JuelLiteral, type JuelUnaryOperator } from './juel';
export { toPlainData, type PlainValue } from './plain-data';
