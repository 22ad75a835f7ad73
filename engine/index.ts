/**
 * Public surface of the framework-free engine. `api/` imports from here only.
 */
export { EngineError, EngineErrorCode, invalidDefinition, type DefinitionProblem, type EngineErrorOptions } from './errors';
export { systemClock, ManualClock, type Clock } from './clock';
export {
  Orchestrator,
  type OrchestratorOptions,
  type Idempotency,
  type DeployResult,
  type InstanceResult,
  type InstanceView,
  type StartInput,
  type TaskWorkerCheck,
  isNotTaskWorker,
} from './orchestrator';
export type {
  CommandStore,
  TransactionRunner,
  DefinitionRecord,
  NewDefinition,
  InstanceRecord,
  InstancePatch,
  TaskRecord,
  TaskClosure,
  TaskStatus,
  InstanceStatus,
  DefinitionState,
  IdempotentResult,
  TimerJobRecord,
  TimerJobKind,
  ArmedTimer,
  IncidentRecord,
  TimerStore,
  TimerClaimer,
  TimerPartition,
  ClaimedTimerJob,
  VariableHistoryEntry,
} from './persistence/ports';
export { verifyChain, chainEvents, hashEvent, canonicalJson, type HistoryEventRecord, type ChainHead, type ChainVerdict } from './history/hash-chain';
export { HistoryKeyring, MIN_HISTORY_KEY_BYTES, sealEvent, sealHead, headMessage, anchorMessage, type SealCheck } from './history/seal';
export { auditInstance, replayVariables, type HistoryProblem, type InstanceFacts, type SealedEvent, type TaskFact } from './history/audit';
export { ServiceHandlerRegistry, BpmnBusinessError, type ServiceHandler, type ServiceHandlerContext, type ServiceHandlerInput } from './services/service-handler';
export { calculatePriorityHandler } from './services/calculate-priority.handler';
export { builtInHandlers } from './services/built-in';
export { assertVariables, MAX_VARIABLES_BYTES } from './variables';
export { idBesides, idInSlot, slotOf } from './commands/instance-ids';
export { DEFAULT_LIVE_ENGINE_BYTES, DEFAULT_LIVE_ENGINE_IDLE_MS, InstanceRunner, type EngineSnapshot, type RunOutcome, type RunnableDefinition } from './runtime/instance-runner';
export { setStallTimeout } from './runtime/quiescence';
export { BUDGET_SETTINGS, budgetLimits, DEFAULT_BUDGET_LIMITS, setBudgetLimits, type BudgetLimits } from './runtime/budget';
export { cpuClocks } from './runtime/thread-clock';
export { closeFeelSandbox, warmFeelSandbox } from './expressions';
export { decodeBpmnBytes, compileDefinition, validateDefinition, loadSourceContext, type ValidationResult } from './definitions';
export { evaluateExpression, checkExpression } from './expressions';
export { slaHandlers, slaVariable, type CalendarLookup, type SlaVariable } from './sla/sla';
export { MAX_TIMER_ATTEMPTS, retryDelayMs, type FireSummary } from './timers/timer-commands';
export { firstOccurrence, nextOccurrence, isCron, type TimerSpec, type Occurrence } from './timers/schedule';
/** Business calendars and SLA clocks: the whole of engine/calendar is public. */
export * from './calendar';
export type { EventKind } from './messaging/catalog';
export type { MessagingStore, SubscriptionRecord, WantedSubscription, BufferedMessageRecord, OutboxRecord, NewOutboxRecord, OutboxKind } from './messaging/ports';
export type { MessageInput, MessageAnswer, SignalInput, SignalAnswer, OutboxSummary } from './messaging/message-commands';
export type { DecisionRecord, DecisionStore, NewDecision } from './decisions/ports';
export type { DecisionDeployResult, DecisionEvaluation } from './decisions/decision-commands';
export * from './records';
export * from './forms';
export { ExternalTaskCommands, MAX_EXTERNAL_LOCK_MS, viewOf as externalTaskView } from './external-tasks/commands';
export * from './external-tasks/ports';
export * from './retention';
