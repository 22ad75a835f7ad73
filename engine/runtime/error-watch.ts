import type { EventEmitter } from 'node:events';

/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements listener APIs are untyped. */

/** A BPMN error that reached the process boundary without being caught. */
export interface UncaughtError {
  /** The element that threw it (an error end event). */
  elementId: string;
  errorId: string | null;
  errorCode: string | null;
  errorName: string | null;
}

/**
 * Watches a run for error end events nobody catches. bpmn-elements ends the throwing token like
 * a none end event when no boundary event or event sub-process catches the error, so the process
 * would end "completed" (ENGINE_NOTES §1; issue 7 item 9). BPMN says the error ends the process
 * abnormally: the runner turns such a run into a failed instance.
 *
 * A throw is caught when a catch event names it as its source (`activity.catch`, seen before or
 * after the throw reaches the process), or when an event sub-process took it (the process then
 * re-publishes it with `delegate: false`).
 */
export class ErrorWatch {
  private readonly thrown: UncaughtError[] = [];
  private readonly caught = new Set<string>();

  constructor(listener: EventEmitter) {
    listener.on('activity.throw', (api: any) => {
      if (api?.messageProperties?.delegate === false) return; // an event sub-process took it
      const message = api?.content?.message ?? {};
      if (message.type && message.type !== 'bpmn:Error') return;
      this.thrown.push({
        elementId: String(api.id),
        errorId: message.id ?? null,
        errorCode: message.code ?? null,
        errorName: message.name && message.name !== 'anonymous' ? String(message.name) : null,
      });
    });
    listener.on('activity.catch', (api: any) => {
      const source = api?.content?.source?.id;
      if (source) this.caught.add(String(source));
    });
  }

  /** The first error thrown in this run that nothing caught. */
  uncaught(): UncaughtError | null {
    return this.thrown.find((t) => !this.caught.has(t.elementId)) ?? null;
  }
}
