import { callSpecOf, resolveCall, type ResolvedCall } from './call-spec';

/** What a call activity's wait message carries (`content.itsmCall`): the resolved call, or why it failed. */
export type CallFormat = { resolved: ResolvedCall } | { error: string };

interface CallActivityLike {
  id: string;
  type: string;
  behaviour: Record<string, unknown>;
  environment: { variables: Record<string, unknown> };
  broker: { publish(exchange: string, routingKey: string, content: object): void };
  on(event: string, fn: (api: { content: Record<string, unknown> }) => void): void;
}

/**
 * The engine extension of call activities. bpmn-elements only publishes `activity.call` and waits
 * (or runs a process of the same file with that id inside this engine, which is not what
 * `calledElement` means here: it names a deployed key). So the called element is hidden from
 * bpmn-elements, and when the activity is entered the call is resolved with the safe evaluator
 * (key, `camunda:in` variables, business key) and attached to its wait message; the host starts
 * the child instance. The variables the host hands back on completion (`camunda:out`) become the
 * caller's variables.
 */
export function callActivityExtension(
  businessKey: string | null,
  assign: (activity: CallActivityLike, patch: Record<string, unknown>) => void,
): (activity: CallActivityLike) => void {
  return (activity) => {
    if (activity.type !== 'bpmn:CallActivity') return;
    const spec = callSpecOf(activity.behaviour);
    // `activity.behaviour` is this activity's own copy (bpmn-elements spreads it), never the cached context.
    activity.behaviour.calledElement = undefined;
    activity.on('enter', () => {
      let call: CallFormat;
      try {
        call = { resolved: resolveCall(spec!, activity.environment.variables, businessKey) };
      } catch (error) {
        call = { error: error instanceof Error ? error.message : String(error) };
      }
      activity.broker.publish('format', 'run.itsm.call', { itsmCall: call });
    });
    activity.on('end', (api) => {
      const returned = (api.content.output as { variables?: unknown } | undefined)?.variables;
      if (returned && typeof returned === 'object') assign(activity, returned as Record<string, unknown>);
    });
  };
}

/** The error an error end event threw that nothing in the instance caught (the child's answer to its caller). */
export interface ThrownError {
  elementId: string;
  errorId: string | null;
  code: string | null;
  name: string | null;
}

/**
 * Watches error throws and catches of one run: an error end event's throw that no boundary or
 * event sub-process caught is what a child instance hands to its call activity. bpmn-engine 25
 * ends such a process normally (ENGINE_NOTES §7), so the caller would otherwise never know.
 */
export class ErrorWatcher {
  private readonly thrown: ThrownError[] = [];
  /** Element ids of the throwers whose error was caught (a catch is announced before its throw). */
  private readonly caught: string[] = [];

  constructor(on: (event: string, fn: (api: { id: string; content: Record<string, unknown> }) => void) => void) {
    on('activity.throw', (api) => {
      const message = api.content.message as { id?: string; type?: string; code?: unknown; name?: string } | undefined;
      if (message?.type !== 'bpmn:Error') return;
      this.thrown.push({ elementId: api.id, errorId: message.id ?? null, code: message.code == null ? null : String(message.code), name: message.name ?? null });
    });
    on('activity.catch', (api) => {
      const source = api.content.source as { id?: string } | undefined;
      if ((api.content.error as { messageType?: string } | undefined)?.messageType === 'throw' && source?.id) this.caught.push(source.id);
    });
  }

  /** The last error thrown and not caught in this run; null when every throw was caught. */
  uncaught(): ThrownError | null {
    const caught = [...this.caught];
    let last: ThrownError | null = null;
    for (const t of this.thrown) {
      const i = caught.indexOf(t.elementId);
      if (i >= 0) caught.splice(i, 1);
      else last = t;
    }
    return last;
  }
}
