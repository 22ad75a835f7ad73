/** What a bpmn-elements extension may return: called when its activity runs (activate) and leaves (deactivate). */
export interface ElementExtension {
  activate(message: { fields: { routingKey?: string; redelivered?: boolean }; content: Record<string, unknown> }): void;
  deactivate(): void;
}

/**
 * An extension that acts when its activity is entered, without subscribing to the activity's
 * `enter` event: bpmn-elements calls an extension's `activate` on `run.enter` right before it
 * publishes `enter`, with a copy of the run message (the event's content but `state`). A
 * subscription keeps a temporary queue (about 6 KB) per element alive in every kept engine; this
 * keeps nothing. A recovered activity is re-activated with its state's message (redelivered):
 * that is no new entry, as the `enter` event is not re-published then either.
 */
export function onEnter(fn: (content: Record<string, unknown>) => void): ElementExtension {
  return {
    activate(message) {
      if (message.fields.routingKey === 'run.enter' && !message.fields.redelivered) fn(message.content);
    },
    deactivate() {},
  };
}
