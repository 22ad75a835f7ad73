// The FEEL sandbox worker (see sandbox.ts): evaluates one FEEL expression (or the unary tests of a
// decision table's input entry against an input value) at a time with feelin, under the heap limit its parent gave it (`resourceLimits`); the parent waits for the answer
// synchronously and terminates this thread when it runs past its time. Plain JavaScript so that
// it runs unchanged from the sources (tests) and from dist/ (copied as an asset).
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';

// The lowest CPU priority for this thread (on Linux a thread's own, inherited by the threads it
// starts): a runaway expression competes with the server's event loop only for spare CPU.
try {
  setPriority(19);
} catch {
  // not permitted here: the thread runs at the process's priority
}
import { date, dateAndTime, duration, evaluate, FeelDate, FeelDateTime, FeelDuration, FeelTime, time, unaryTest } from 'feelin';
import { sandboxProtocol } from './worker-clock.mjs';

const TEMPORAL_TYPES = [FeelDate, FeelTime, FeelDateTime, FeelDuration];
// Flags "running" / "answered" in the SharedArrayBuffer, with this thread's CPU time (worker-clock.mjs).
const protocol = sandboxProtocol(workerData.state);
const port = workerData.port;

/** Temporal values to their ISO text, other non-data values (functions, ranges) to null; counts characters. */
function plain(value, budget) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    budget.chars += value.length;
    return value;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (TEMPORAL_TYPES.some((type) => value instanceof type)) return plain(String(value), budget);
  if (budget.chars > budget.max) return null;
  if (Array.isArray(value)) {
    budget.chars += value.length;
    return value.map((item) => plain(item, budget));
  }
  const proto = Object.getPrototypeOf(value);
  if (typeof value === 'object' && (proto === Object.prototype || proto === null)) {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      budget.chars += key.length + 1;
      out[key] = plain(item, budget);
    }
    return out;
  }
  return null;
}

/** A decision table input's value as its typeRef says (engine/decisions/evaluate.ts): text to a temporal value. */
const TEMPORAL_INPUTS = {
  date: (t) => date(t),
  dateTime: (t) => dateAndTime(t),
  'date and time': (t) => dateAndTime(t),
  time: (t) => time(t),
  dayTimeDuration: (t) => duration(t),
  yearMonthDuration: (t) => duration(t),
  'days and time duration': (t) => duration(t),
  'years and months duration': (t) => duration(t),
};

/** The context of a request: for unary tests, the input value (converted as its typeRef says) as `?` and under its name. */
function contextOf(request) {
  if (request.mode !== 'unaryTest' || !request.input) return request.context;
  let { value } = request.input;
  const convert = request.input.typeRef && TEMPORAL_INPUTS[String(request.input.typeRef).replace(/^feel:/, '')];
  if (convert && typeof value === 'string') value = convert(value);
  return { ...request.context, [request.input.name]: value, '?': value };
}

port.on('message', (request) => {
  protocol.begin();
  let reply;
  try {
    const context = contextOf(request);
    const result = request.mode === 'unaryTest' ? unaryTest(request.source, context) : evaluate(request.source, context);
    const budget = { chars: 0, max: request.maxChars };
    const value = plain(result.value, budget);
    reply =
      budget.chars > budget.max
        ? { seq: request.seq, kind: 'too-large', chars: budget.chars }
        : { seq: request.seq, kind: 'ok', value, warnings: result.warnings.map((w) => ({ type: String(w.type), message: String(w.message) })) };
  } catch (error) {
    const tooDeep = error instanceof RangeError;
    reply = { seq: request.seq, kind: tooDeep ? 'too-deep' : 'error', message: String(error?.message ?? error) };
  }
  port.postMessage(reply);
  protocol.end();
});
// Warm up the interpreter (grammar, iteration, built-ins) before the first request is picked up:
// a cold first evaluation can take longer than a request's time limit on a busy machine.
for (let i = 0; i < 20; i++) evaluate('some x in [1, 2] satisfies x > 1 and count(for i in 1..3 return i) > 0 and string length("a") = 1', {});
protocol.loaded();
parentPort?.postMessage('ready');
