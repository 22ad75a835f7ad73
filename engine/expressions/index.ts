export { ExpressionEvaluationError, ExpressionSyntaxError } from './errors';
export {
  checkExpression, createEngineExpressions, evaluateExpression, type EngineExpressions, type ExpressionOptions,
} from './expressions';
export { checkFeel, closeFeelSandbox, evaluateFeel, feelSandbox, warmFeelSandbox } from './feel';
export { isTriviallySafe } from './feel-safety';
export { evaluateJuel, parseJuel, type JuelAst, type JuelBinaryOperator, type JuelLiteral, type JuelUnaryOperator } from './juel';
export { toPlainData, type PlainValue } from './plain-data';
