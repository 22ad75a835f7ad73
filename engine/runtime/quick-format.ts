/**
 * Run steps with nothing to format skip bpmn-elements' formatting round (a bpmn-elements extension).
 *
 * Before each step of an element's run (enter, start, execute, end, leave...) bpmn-elements'
 * message formatter publishes a marker into the element's `format-run-q`, subscribes a consumer
 * to that queue, reads every formatting message queued before the marker (extensions publish them
 * on the `format` exchange to enrich the step's message, e.g. a user task's metadata, or to make
 * the step wait: an `endRoutingKey`), then cancels the consumer and goes on. When the queue holds
 * no message, that round finds only its own marker and goes on with the message unchanged, in the
 * same synchronous call: the step behaves exactly as if it had not run. It is still a marker
 * message, a consumer created and cancelled, and the queue events each of those publishes: about a
 * third of every broker message of a command, five times per element. So the step goes on at once
 * when the queue is empty, and runs the formatter as before when anything waits in it.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements' internals are untyped; this file is an adapter over them. */

/** Where bpmn-elements' Activity keeps its formatter (its `formatter` getter creates it there on first use). */
const FORMATTER = Symbol.for('formatter');

type FormatCallback = (error: unknown, content?: unknown, formatted?: boolean) => void;

/** The extension: every activity's formatter skips its round when `format-run-q` is empty. */
export function quickFormat(activity: any): void {
  const broker = activity?.broker;
  if (!broker?.getQueue?.('format-run-q') || !('formatter' in activity)) return;
  const formatter = activity.formatter as { format(message: unknown, callback: FormatCallback): unknown };
  if (typeof formatter?.format !== 'function') return;
  activity[FORMATTER] = {
    format(message: { content: unknown }, callback: FormatCallback): unknown {
      // Looked up each time: the queue is the element's own, kept across recover (asserted, never deleted).
      if (broker.getQueue('format-run-q')?.messageCount) return formatter.format(message, callback);
      return callback(null, message.content, false);
    },
  };
}
