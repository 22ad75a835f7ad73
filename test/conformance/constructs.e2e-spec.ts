/**
 * BPMN 2.0 constructs named in issue 7, each a small diagram with the completed-element sequence
 * the specification's execution semantics (OMG formal/2011-01-03, §13) prescribe: gateways
 * (parallel join after an exclusive merge, bpmn-engine#200; inclusive join after a loop;
 * event-based gateway branches), timer/message/signal/conditional/error/escalation events (catch,
 * boundary interrupting and not, event sub-processes), receive task, message throw and send task
 * through the outbox, call activity with in/out mappings, multi-instance with a completion
 * condition, standard loop, terminate end, link events, compensation.
 */
import { BpmnBusinessError, type ServiceHandler } from '../../engine';
import type { ConformanceCase } from './harness';
import { conformanceSuite } from './suite';
import {
  boundary,
  catchEvent,
  conditionalDef,
  cycle,
  diagram,
  end,
  error,
  errorDef,
  escalation,
  escalationDef,
  fid,
  flows,
  gateway,
  linkDef,
  message,
  messageDef,
  signal,
  signalDef,
  start,
  subProcess,
  task,
  terminateDef,
  throwEvent,
  timer,
} from './dsl';

const HOUR = 3_600_000;

/** A service handler that raises the business error PAYMENT_DECLINED (or an uncaught code). */
const charge: ServiceHandler = {
  name: 'chargeCard',
  description: 'conformance: declines every payment with a BPMN business error',
  run: (ctx) => {
    throw new BpmnBusinessError(String(ctx.inputs.code ?? 'PAYMENT_DECLINED'), 'card declined');
  },
};
const serviceTask = (id: string, code?: string) =>
  `<bpmn:serviceTask id="${id}" camunda:delegateExpression="\${chargeCard}">${
    code ? `<bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="code">${code}</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>` : ''
  }</bpmn:serviceTask>`;

export const CONSTRUCT_CASES: ConformanceCase[] = [
  // ------------------------------------------------------------------ gateways
  // bpmn-engine#200: a parallel join preceded by an exclusive split/merge on one branch must count
  // only tokens that arrived; the untaken exclusive branch must not fire it while B is open.
  {
    name: 'gateway-parallel-join-after-exclusive-merge',
    deploy: [
      diagram(
        'c-gw-200',
        [start(), gateway('parallel', 'fork'), task('A'), gateway('exclusive', 'xs', fid('xs', 'D')), task('B'), task('D'), gateway('exclusive', 'xj'), gateway('parallel', 'join'), task('C'), end(),
          flows('start->fork', 'fork->A', 'fork->xs', 'xs->B ? ${viaB}', 'xs->D', 'B->xj', 'D->xj', 'A->join', 'xj->join', 'join->C', 'C->end')].join('\n'),
      ),
    ],
    start: { variables: { viaB: true } },
    steps: [{ open: ['A', 'B'] }, { complete: 'A' }, { open: ['B'] }, { complete: 'B' }, { open: ['C'] }, { complete: 'C' }],
    expect: { completed: ['start', 'fork', 'xs', 'A', 'B', 'xj', 'join', 'C', 'end'], status: 'completed', openTasks: [] },
  },
  // Conditions on the outgoing flows of a parallel gateway are ignored (§13.3.2: "the parallel
  // gateway ... does not evaluate conditions"); every outgoing flow gets a token.
  {
    name: 'gateway-parallel-ignores-conditions',
    deploy: [
      diagram(
        'c-gw-par-cond',
        [start(), gateway('parallel', 'fork'), task('A'), task('B'), end('endA'), end('endB'),
          flows('start->fork', 'fork->A ? ${false}', 'fork->B', 'A->endA', 'B->endB')].join('\n'),
      ),
    ],
    steps: [{ open: ['A', 'B'] }, { complete: 'A' }, { complete: 'B' }],
    expect: { completed: ['start', 'fork', 'A', 'endA', 'B', 'endB'], status: 'completed', openTasks: [] },
  },
  // A diverging inclusive gateway with no true condition takes its default flow.
  {
    name: 'gateway-inclusive-default-flow',
    deploy: [
      diagram(
        'c-gw-or-default',
        [start(), gateway('inclusive', 'or', fid('or', 'C')), task('A'), task('B'), task('C'), end('endA'), end('endB'), end('endC'),
          flows('start->or', 'or->A ? ${a}', 'or->B ? ${b}', 'or->C', 'A->endA', 'B->endB', 'C->endC')].join('\n'),
      ),
    ],
    start: { variables: { a: false, b: false } },
    steps: [{ open: ['C'] }, { complete: 'C' }],
    expect: { completed: ['start', 'or', 'C', 'endC'], status: 'completed', openTasks: [] },
  },
  // OR-join after a loop: branch B loops (B → loop → back to B) while branch C is open; the join
  // fires once, after the loop exits AND C is done (upstream reachability, §13.3.2).
  {
    name: 'gateway-inclusive-join-after-loop',
    deploy: [
      diagram(
        'c-gw-or-loop',
        [start(), task('A'), gateway('inclusive', 'or'), gateway('exclusive', 'mB'), task('B'), gateway('exclusive', 'loop', fid('loop', 'orj')), task('C'), gateway('inclusive', 'orj'), task('E'), end(),
          flows('start->A', 'A->or', 'or->mB ? ${b}', 'or->C ? ${c}', 'mB->B', 'B->loop', 'loop->mB ? ${again}', 'loop->orj', 'C->orj', 'orj->E', 'E->end')].join('\n'),
      ),
    ],
    steps: [
      { complete: 'A', variables: { b: true, c: true, again: false } },
      { open: ['B', 'C'] },
      { complete: 'B', variables: { again: true } },
      { open: ['B', 'C'] },
      { complete: 'B', variables: { again: false } },
      { open: ['C'] },
      { complete: 'C' },
      { open: ['E'] },
      { complete: 'E' },
    ],
    expect: { completed: ['start', 'A', 'or', 'mB', 'B', 'loop', 'mB', 'B', 'loop', 'C', 'orj', 'E', 'end'], status: 'completed', openTasks: [] },
  },
  // Event-based gateway with a signal branch and a timer branch: the signal wins.
  {
    name: 'gateway-event-based-signal',
    deploy: [
      diagram(
        'c-gw-ebg-signal',
        [start(), gateway('eventBased', 'ebg'), catchEvent('go', signalDef('Sig_go')), catchEvent('timeout', timer('PT1H')), task('B'), task('C'), end('endB'), end('endC'),
          flows('start->ebg', 'ebg->go', 'ebg->timeout', 'go->B', 'timeout->C', 'B->endB', 'C->endC')].join('\n'),
        signal('Sig_go', 'ebg-go'),
      ),
    ],
    steps: [{ open: [] }, { signal: 'ebg-go' }, { open: ['B'] }, { advance: HOUR + 1000 }, { open: ['B'] }, { complete: 'B' }],
    expect: { completed: ['start', { set: ['ebg', 'go'] }, 'B', 'endB'], status: 'completed', openTasks: [] },
  },
  // Event-based gateway with a conditional branch: it fires when a parallel task sets the variable.
  {
    name: 'gateway-event-based-conditional',
    deploy: [
      diagram(
        'c-gw-ebg-cond',
        [start(), gateway('parallel', 'fork'), task('A'), end('endA'), gateway('eventBased', 'ebg'), catchEvent('approved', conditionalDef('${approved == true}')), catchEvent('timeout', timer('PT1H')),
          task('B'), task('C'), end('endB'), end('endC'),
          flows('start->fork', 'fork->A', 'A->endA', 'fork->ebg', 'ebg->approved', 'ebg->timeout', 'approved->B', 'timeout->C', 'B->endB', 'C->endC')].join('\n'),
      ),
    ],
    start: { variables: { approved: false } },
    steps: [{ open: ['A'] }, { complete: 'A', variables: { approved: true } }, { open: ['B'] }, { complete: 'B' }],
    expect: { completed: ['start', 'fork', 'A', { set: ['endA', 'ebg', 'approved'] }, 'B', 'endB'], status: 'completed', openTasks: [] },
  },

  // ------------------------------------------------------------------ timers
  {
    name: 'timer-intermediate-catch',
    deploy: [diagram('c-timer-catch', [start(), catchEvent('wait', timer('PT2H')), task('A'), end(), flows('start->wait', 'wait->A', 'A->end')].join('\n'))],
    steps: [{ open: [] }, { advance: HOUR }, { open: [] }, { advance: HOUR + 1000 }, { open: ['A'] }, { complete: 'A' }],
    expect: { completed: ['start', 'wait', 'A', 'end'], status: 'completed', openTasks: [] },
  },
  // A non-interrupting cycle boundary fires each period while the task runs (R2: twice).
  {
    name: 'timer-boundary-non-interrupting-cycle',
    knownDeviation:
      'a second token reaching a running activity waits until the running execution ends (bpmn-elements runs one execution per activity); BPMN runs both at once: the second reminder task opens when the first ends',
    deploy: [
      diagram(
        'c-timer-cycle',
        [start(), task('A'), boundary('remind', 'A', cycle('R2/PT1H'), false), task('R'), end(), end('endR'), flows('start->A', 'A->end', 'remind->R', 'R->endR')].join('\n'),
      ),
    ],
    steps: [{ advance: HOUR + 1000 }, { open: ['A', 'R'] }, { advance: HOUR + 1000 }, { open: ['A', 'R', 'R'] }, { advance: HOUR + 1000 }, { open: ['A', 'R', 'R'] }, { complete: 'A' }, { complete: 'R' }, { complete: 'R' }],
    expect: { completed: ['start', 'remind', 'remind', 'A', 'end', 'R', 'endR', 'R', 'endR'], status: 'completed', openTasks: [] },
  },

  // ------------------------------------------------------------------ messages
  // Intermediate message catch with a correlation key (Camunda 8 zeebe:subscription, evaluated when
  // the subscription opens): a message with another key reaches nobody (404); the payload becomes
  // process variables.
  {
    name: 'message-intermediate-catch-correlation',
    deploy: [
      diagram(
        'c-msg-catch',
        [start(), catchEvent('reply', messageDef('Msg_reply')), task('B'), end(), flows('start->reply', 'reply->B', 'B->end')].join('\n'),
        message('Msg_reply', 'msg-catch-reply', '=ticket'),
      ),
    ],
    start: { variables: { ticket: 'INC-1' } },
    steps: [
      { message: 'msg-catch-reply', correlationKey: 'INC-2', expectStatus: 404 },
      { open: [] },
      { message: 'msg-catch-reply', correlationKey: 'INC-1', variables: { answer: 'works now' }, expectStatus: 200 },
      { open: ['B'] },
      { complete: 'B' },
    ],
    expect: { completed: ['start', 'reply', 'B', 'end'], status: 'completed', openTasks: [], variables: { answer: 'works now' } },
  },
  // A message sent before its subscription opens is buffered for timeToLive (202) and delivered
  // when the catch event is reached.
  {
    name: 'message-buffered-time-to-live',
    deploy: [
      diagram(
        'c-msg-ttl',
        [start(), task('A'), catchEvent('reply', messageDef('Msg_reply')), task('B'), end(), flows('start->A', 'A->reply', 'reply->B', 'B->end')].join('\n'),
        message('Msg_reply', 'msg-ttl-reply'),
      ),
    ],
    steps: [{ message: 'msg-ttl-reply', timeToLive: 'PT1H', expectStatus: 202 }, { complete: 'A' }, { open: ['B'] }, { complete: 'B' }],
    expect: { completed: ['start', 'A', 'reply', 'B', 'end'], status: 'completed', openTasks: [] },
  },
  // A repeated messageId is delivered once: the second copy finds the non-interrupting boundary
  // still listening but must not open a second task.
  {
    name: 'message-id-delivered-once',
    deploy: [
      diagram(
        'c-msg-dedup',
        [start(), task('A'), boundary('note', 'A', messageDef('Msg_note'), false), task('N'), end(), end('endN'), flows('start->A', 'A->end', 'note->N', 'N->endN')].join('\n'),
        message('Msg_note', 'msg-dedup-note'),
      ),
    ],
    steps: [{ message: 'msg-dedup-note', messageId: 'm-1' }, { message: 'msg-dedup-note', messageId: 'm-1' }, { open: ['A', 'N'] }, { complete: 'N' }, { complete: 'A' }],
    expect: { completed: ['start', 'note', 'N', 'endN', 'A', 'end'], status: 'completed', openTasks: [] },
  },
  // A message start event starts the latest version of the key that declares it.
  {
    name: 'message-start-event',
    deploy: [
      diagram('c-msg-start', [start('start', messageDef('Msg_open')), task('A'), end(), flows('start->A', 'A->end')].join('\n'), message('Msg_open', 'msg-start-open')),
    ],
    start: { message: 'msg-start-open', variables: { caller: 'dora' } },
    steps: [{ open: ['A'] }, { complete: 'A' }],
    expect: { completed: ['start', 'A', 'end'], status: 'completed', openTasks: [], variables: { caller: 'dora' } },
  },
  {
    name: 'message-receive-task',
    deploy: [
      diagram(
        'c-msg-receive',
        [start(), '<bpmn:receiveTask id="wait" messageRef="Msg_doc"/>', task('A'), end(), flows('start->wait', 'wait->A', 'A->end')].join('\n'),
        message('Msg_doc', 'msg-receive-doc'),
      ),
    ],
    steps: [{ open: [] }, { message: 'msg-receive-doc' }, { open: ['A'] }, { complete: 'A' }],
    expect: { completed: ['start', 'wait', 'A', 'end'], status: 'completed', openTasks: [] },
  },
  {
    name: 'message-boundary-interrupting',
    deploy: [
      diagram(
        'c-msg-boundary',
        [start(), task('A'), boundary('withdrawn', 'A', messageDef('Msg_w')), task('X'), end(), end('endX'), flows('start->A', 'A->end', 'withdrawn->X', 'X->endX')].join('\n'),
        message('Msg_w', 'msg-boundary-withdrawn'),
      ),
    ],
    steps: [{ message: 'msg-boundary-withdrawn' }, { open: ['X'] }, { complete: 'X' }],
    expect: { completed: ['start', 'withdrawn', 'X', 'endX'], status: 'completed', openTasks: [] },
  },
  // A non-interrupting message boundary fires for every message while the activity runs.
  {
    name: 'message-boundary-non-interrupting-repeats',
    knownDeviation:
      'a second token reaching a running activity waits until the running execution ends (bpmn-elements runs one execution per activity); BPMN runs both at once: the second handler task opens when the first ends',
    deploy: [
      diagram(
        'c-msg-boundary-ni',
        [start(), task('A'), boundary('info', 'A', messageDef('Msg_i'), false), task('N'), end(), end('endN'), flows('start->A', 'A->end', 'info->N', 'N->endN')].join('\n'),
        message('Msg_i', 'msg-boundary-info'),
      ),
    ],
    steps: [{ message: 'msg-boundary-info' }, { message: 'msg-boundary-info' }, { open: ['A', 'N', 'N'] }, { complete: 'A' }, { message: 'msg-boundary-info', expectStatus: 404 }, { complete: 'N' }, { complete: 'N' }],
    expect: { completed: ['start', 'info', 'info', 'A', 'end', 'N', 'endN', 'N', 'endN'], status: 'completed', openTasks: [] },
  },
  // Interrupting message event sub-process: cancels the running A and runs its own flow.
  {
    name: 'message-event-subprocess-interrupting',
    deploy: [
      diagram(
        'c-msg-esp',
        [start(), task('A'), end(), flows('start->A', 'A->end'),
          subProcess('esp', [start('cancelReq', messageDef('Msg_c')), task('H'), end('endH'), flows('cancelReq->H', 'H->endH')].join('\n'), 'triggeredByEvent="true"')].join('\n'),
        message('Msg_c', 'msg-esp-cancel'),
      ),
    ],
    steps: [{ message: 'msg-esp-cancel' }, { open: ['H'] }, { complete: 'H' }],
    expect: { completed: ['start', 'cancelReq', 'H', 'endH', 'esp'], status: 'completed', openTasks: [] },
  },
  // Non-interrupting message event sub-process: runs once per message beside A.
  {
    name: 'message-event-subprocess-non-interrupting',
    knownDeviation:
      'runs one after another: a second message to a running non-interrupting event sub-process is accepted (200) and queued, its handler task opens when the first one ends (BPMN runs both at once), and both runs are recorded inside one run of the event sub-process',
    deploy: [
      diagram(
        'c-msg-esp-ni',
        [start(), task('A'), end(), flows('start->A', 'A->end'),
          subProcess('esp', [start('info', messageDef('Msg_i'), 'isInterrupting="false"'), task('N'), end('endN'), flows('info->N', 'N->endN')].join('\n'), 'triggeredByEvent="true"')].join('\n'),
        message('Msg_i', 'msg-esp-info'),
      ),
    ],
    steps: [{ message: 'msg-esp-info' }, { message: 'msg-esp-info' }, { open: ['A', 'N', 'N'] }, { complete: 'N' }, { complete: 'N' }, { complete: 'A' }],
    expect: { completed: ['start', 'info', 'info', 'N', 'endN', 'esp', 'N', 'endN', 'esp', 'A', 'end'], status: 'completed', openTasks: [] },
  },
  // A message throw event delivers, after its command commits, to the instance waiting for it.
  {
    name: 'message-throw-through-outbox',
    deploy: [
      diagram('c-msg-catcher', [start(), catchEvent('inbox', messageDef('Msg_n')), task('B'), end(), flows('start->inbox', 'inbox->B', 'B->end')].join('\n'), message('Msg_n', 'msg-outbox-notify')),
      diagram('c-msg-thrower', [start(), task('A'), throwEvent('notify', messageDef('Msg_n')), end(), flows('start->A', 'A->notify', 'notify->end')].join('\n'), message('Msg_n', 'msg-outbox-notify')),
    ],
    steps: [{ startOther: 'c-msg-catcher' }, { open: ['A'] }, { complete: 'A' }, { settle: true }, { open: ['B'] }, { complete: 'B' }],
    expect: { completed: ['start', 'A', 'notify', 'end'], status: 'completed', openTasks: [], others: { 'c-msg-catcher': { completed: ['start', 'inbox', 'B', 'end'], status: 'completed' } } },
  },
  // A send task delivers its message the same way.
  {
    name: 'message-send-task-through-outbox',
    deploy: [
      diagram('c-send-catcher', ['<bpmn:startEvent id="start"/>', '<bpmn:receiveTask id="inbox" messageRef="Msg_n"/>', task('B'), end(), flows('start->inbox', 'inbox->B', 'B->end')].join('\n'), message('Msg_n', 'send-task-notify')),
      diagram('c-send-thrower', [start(), task('A'), '<bpmn:sendTask id="notify" messageRef="Msg_n"/>', end(), flows('start->A', 'A->notify', 'notify->end')].join('\n'), message('Msg_n', 'send-task-notify')),
    ],
    steps: [{ startOther: 'c-send-catcher' }, { complete: 'A' }, { settle: true }, { open: ['B'] }, { complete: 'B' }],
    expect: { completed: ['start', 'A', 'notify', 'end'], status: 'completed', openTasks: [], others: { 'c-send-catcher': { completed: ['start', 'inbox', 'B', 'end'], status: 'completed' } } },
  },

  // ------------------------------------------------------------------ signals
  {
    name: 'signal-intermediate-catch',
    deploy: [diagram('c-sig-catch', [start(), catchEvent('go', signalDef('Sig')), task('A'), end(), flows('start->go', 'go->A', 'A->end')].join('\n'), signal('Sig', 'sig-catch-go'))],
    steps: [{ open: [] }, { signal: 'sig-catch-go' }, { open: ['A'] }, { complete: 'A' }],
    expect: { completed: ['start', 'go', 'A', 'end'], status: 'completed', openTasks: [] },
  },
  {
    name: 'signal-start-event',
    deploy: [diagram('c-sig-start', [start('start', signalDef('Sig')), task('A'), end(), flows('start->A', 'A->end')].join('\n'), signal('Sig', 'sig-start-outage'))],
    start: { signal: 'sig-start-outage' },
    steps: [{ open: ['A'] }, { complete: 'A' }],
    expect: { completed: ['start', 'A', 'end'], status: 'completed', openTasks: [] },
  },
  {
    name: 'signal-boundary-interrupting',
    deploy: [
      diagram(
        'c-sig-boundary',
        [start(), task('A'), boundary('stop', 'A', signalDef('Sig')), task('X'), end(), end('endX'), flows('start->A', 'A->end', 'stop->X', 'X->endX')].join('\n'),
        signal('Sig', 'sig-boundary-stop'),
      ),
    ],
    steps: [{ signal: 'sig-boundary-stop' }, { open: ['X'] }, { complete: 'X' }],
    expect: { completed: ['start', 'stop', 'X', 'endX'], status: 'completed', openTasks: [] },
  },
  // A signal throw event broadcasts to instances of other definitions waiting for it.
  {
    name: 'signal-throw-broadcast',
    deploy: [
      diagram('c-sig-catcher', [start(), catchEvent('heard', signalDef('Sig')), task('B'), end(), flows('start->heard', 'heard->B', 'B->end')].join('\n'), signal('Sig', 'sig-throw-outage')),
      diagram('c-sig-thrower', [start(), task('A'), throwEvent('announce', signalDef('Sig')), end(), flows('start->A', 'A->announce', 'announce->end')].join('\n'), signal('Sig', 'sig-throw-outage')),
    ],
    steps: [{ startOther: 'c-sig-catcher' }, { complete: 'A' }, { settle: true }, { open: ['B'] }, { complete: 'B' }],
    expect: { completed: ['start', 'A', 'announce', 'end'], status: 'completed', openTasks: [], others: { 'c-sig-catcher': { completed: ['start', 'heard', 'B', 'end'], status: 'completed' } } },
  },

  {
    name: 'signal-boundary-non-interrupting',
    deploy: [
      diagram(
        'c-sig-boundary-ni',
        [start(), task('A'), boundary('heads-up', 'A', signalDef('Sig'), false), task('N'), end(), end('endN'), flows('start->A', 'A->end', 'heads-up->N', 'N->endN')].join('\n'),
        signal('Sig', 'sig-boundary-headsup'),
      ),
    ],
    steps: [{ signal: 'sig-boundary-headsup' }, { open: ['A', 'N'] }, { complete: 'N' }, { complete: 'A' }],
    expect: { completed: ['start', 'heads-up', 'N', 'endN', 'A', 'end'], status: 'completed', openTasks: [] },
  },
  {
    name: 'signal-event-subprocess-non-interrupting',
    deploy: [
      diagram(
        'c-sig-esp',
        [start(), task('A'), end(), flows('start->A', 'A->end'),
          subProcess('esp', [start('outage', signalDef('Sig'), 'isInterrupting="false"'), task('N'), end('endN'), flows('outage->N', 'N->endN')].join('\n'), 'triggeredByEvent="true"')].join('\n'),
        signal('Sig', 'sig-esp-outage'),
      ),
    ],
    steps: [{ signal: 'sig-esp-outage' }, { open: ['A', 'N'] }, { complete: 'N' }, { complete: 'A' }],
    expect: { completed: ['start', 'outage', 'N', 'endN', 'esp', 'A', 'end'], status: 'completed', openTasks: [] },
  },
  // One signal reaches every instance waiting for it, of any definition (here: the main instance
  // and an instance of another key).
  {
    name: 'signal-reaches-every-waiting-instance',
    deploy: [
      diagram('c-sig-every-b', [start(), catchEvent('heard', signalDef('Sig')), end(), flows('start->heard', 'heard->end')].join('\n'), signal('Sig', 'sig-every')),
      diagram('c-sig-every-a', [start(), catchEvent('heard', signalDef('Sig')), end(), flows('start->heard', 'heard->end')].join('\n'), signal('Sig', 'sig-every')),
    ],
    steps: [{ startOther: 'c-sig-every-b' }, { signal: 'sig-every' }, { settle: true }],
    expect: { completed: ['start', 'heard', 'end'], status: 'completed', others: { 'c-sig-every-b': { completed: ['start', 'heard', 'end'], status: 'completed' } } },
  },

  // ------------------------------------------------------------------ conditional events
  // Re-evaluated after every command that changes variables.
  {
    name: 'conditional-intermediate-catch',
    deploy: [
      diagram(
        'c-cond-catch',
        [start(), gateway('parallel', 'fork'), task('A'), end('endA'), catchEvent('ready', conditionalDef('${ok == true}')), task('B'), end('endB'),
          flows('start->fork', 'fork->A', 'A->endA', 'fork->ready', 'ready->B', 'B->endB')].join('\n'),
      ),
    ],
    start: { variables: { ok: false } },
    steps: [{ open: ['A'] }, { complete: 'A', variables: { ok: true } }, { open: ['B'] }, { complete: 'B' }],
    expect: { completed: ['start', 'fork', 'A', { set: ['endA', 'ready'] }, 'B', 'endB'], status: 'completed', openTasks: [] },
  },
  {
    name: 'conditional-boundary-interrupting',
    deploy: [
      diagram(
        'c-cond-boundary',
        [start(), gateway('parallel', 'fork'), task('A'), end('endA'), task('W'), boundary('risky', 'W', conditionalDef("${risk == 'high'}")), task('X'), end('endW'), end('endX'),
          flows('start->fork', 'fork->A', 'A->endA', 'fork->W', 'W->endW', 'risky->X', 'X->endX')].join('\n'),
      ),
    ],
    start: { variables: { risk: 'low' } },
    steps: [{ open: ['A', 'W'] }, { complete: 'A', variables: { risk: 'high' } }, { open: ['X'] }, { complete: 'X' }],
    expect: { completed: ['start', 'fork', 'A', { set: ['endA', 'risky'] }, 'X', 'endX'], status: 'completed', openTasks: [] },
  },
  {
    name: 'conditional-event-subprocess-non-interrupting',
    deploy: [
      diagram(
        'c-cond-esp',
        [start(), task('A'), task('B'), end(), flows('start->A', 'A->B', 'B->end'),
          subProcess('esp', [start('escalated', conditionalDef('${escalate == true}'), 'isInterrupting="false"'), task('X'), end('endX'), flows('escalated->X', 'X->endX')].join('\n'), 'triggeredByEvent="true"')].join('\n'),
      ),
    ],
    start: { variables: { escalate: false } },
    steps: [{ complete: 'A', variables: { escalate: true } }, { open: ['B', 'X'] }, { complete: 'X' }, { complete: 'B' }],
    expect: { completed: ['start', 'A', 'escalated', 'X', 'endX', 'esp', 'B', 'end'], status: 'completed', openTasks: [] },
  },

  {
    name: 'conditional-boundary-non-interrupting',
    deploy: [
      diagram(
        'c-cond-boundary-ni',
        [start(), gateway('parallel', 'fork'), task('A'), end('endA'), task('W'), boundary('watch', 'W', conditionalDef('${priority == 1}'), false), task('X'), end('endW'), end('endX'),
          flows('start->fork', 'fork->A', 'A->endA', 'fork->W', 'W->endW', 'watch->X', 'X->endX')].join('\n'),
      ),
    ],
    start: { variables: { priority: 3 } },
    steps: [{ complete: 'A', variables: { priority: 1 } }, { open: ['W', 'X'] }, { complete: 'X' }, { complete: 'W' }],
    expect: { completed: ['start', 'fork', 'A', { set: ['endA', 'watch'] }, 'X', 'endX', 'W', 'endW'], status: 'completed', openTasks: [] },
  },
  // A timer event sub-process (interrupting) takes over when the process is not done in time.
  {
    name: 'timer-event-subprocess-interrupting',
    deploy: [
      diagram(
        'c-timer-esp',
        [start(), task('A'), end(), flows('start->A', 'A->end'),
          subProcess('esp', [start('breach', timer('PT4H')), task('H'), end('endH'), flows('breach->H', 'H->endH')].join('\n'), 'triggeredByEvent="true"')].join('\n'),
      ),
    ],
    steps: [{ advance: 4 * HOUR + 1000 }, { open: ['H'] }, { complete: 'H' }],
    expect: { completed: ['start', 'breach', 'H', 'endH', 'esp'], status: 'completed', openTasks: [] },
  },

  // ------------------------------------------------------------------ errors and escalations
  // An error end event reached after a wait state (A completed) is caught by the error boundary on
  // its sub-process, which is interrupted (issue 7 §9: today ignored).
  {
    name: 'error-end-after-wait-caught-by-boundary',
    deploy: [
      diagram(
        'c-err-boundary',
        [start(), subProcess('sp', [start('spStart'), task('A'), end('failed', errorDef('Err')), flows('spStart->A', 'A->failed')].join('\n')),
          boundary('caught', 'sp', errorDef('Err')), task('H'), end(), end('endH'), flows('start->sp', 'sp->end', 'caught->H', 'H->endH')].join('\n'),
        error('Err', 'E_DIAGNOSIS'),
      ),
    ],
    steps: [{ open: ['A'] }, { complete: 'A' }, { open: ['H'] }, { complete: 'H' }],
    expect: { completed: ['start', 'spStart', 'A', { set: ['failed', 'caught'] }, 'H', 'endH'], status: 'completed', openTasks: [] },
  },
  // Nothing catches the error: the instance fails, visibly (issue 7 §9: today "completed").
  {
    name: 'error-end-uncaught-fails-instance',
    deploy: [diagram('c-err-uncaught', [start(), task('A'), end('failed', errorDef('Err')), flows('start->A', 'A->failed')].join('\n'), error('Err', 'E_UNCAUGHT'))],
    steps: [{ complete: 'A' }],
    expect: { status: 'failed', openTasks: [] },
  },
  // An error event sub-process catches an error end event thrown after a wait state.
  {
    name: 'error-event-subprocess',
    deploy: [
      diagram(
        'c-err-esp',
        [start(), task('A'), end('failed', errorDef('Err')), flows('start->A', 'A->failed'),
          subProcess('esp', [start('onError', errorDef('Err')), task('H'), end('endH'), flows('onError->H', 'H->endH')].join('\n'), 'triggeredByEvent="true"')].join('\n'),
        error('Err', 'E_ESP'),
      ),
    ],
    steps: [{ complete: 'A' }, { open: ['H'] }, { complete: 'H' }],
    expect: { completed: ['start', 'A', { set: ['failed', 'onError'] }, 'H', 'endH', 'esp'], status: 'completed', openTasks: [] },
  },
  // A service handler's business error (BpmnError with a code) reaches the matching error boundary.
  {
    name: 'error-service-business-error-caught',
    deploy: [
      diagram(
        'c-err-service',
        [start(), serviceTask('charge'), boundary('declined', 'charge', errorDef('Err')), task('H'), end(), end('endH'), flows('start->charge', 'charge->end', 'declined->H', 'H->endH')].join('\n'),
        error('Err', 'PAYMENT_DECLINED'),
      ),
    ],
    steps: [{ open: ['H'] }, { complete: 'H' }],
    expect: { completed: ['start', 'declined', 'H', 'endH'], status: 'completed', openTasks: [] },
  },
  // Nothing catches the handler's business error: the command fails with a 422 naming the code
  // and changes nothing (no instance is created).
  {
    name: 'error-service-business-error-uncaught-422',
    deploy: [diagram('c-err-service-uncaught', [start(), serviceTask('charge', 'CARD_EXPIRED'), end(), flows('start->charge', 'charge->end')].join('\n'))],
    steps: [],
    expect: {},
    startRefused: { status: 422, detailContains: 'CARD_EXPIRED' },
  },
  // An escalation event sub-process (non-interrupting) catches an escalation thrown in the process.
  {
    name: 'escalation-event-subprocess-non-interrupting',
    deploy: [
      diagram(
        'c-esc-esp',
        [start(), task('A'), throwEvent('raise', escalationDef('Esc')), task('B'), end(), flows('start->A', 'A->raise', 'raise->B', 'B->end'),
          subProcess('esp', [start('onEsc', escalationDef('Esc'), 'isInterrupting="false"'), task('X'), end('endX'), flows('onEsc->X', 'X->endX')].join('\n'), 'triggeredByEvent="true"')].join('\n'),
        escalation('Esc', 'ESC_INFORM'),
      ),
    ],
    steps: [{ complete: 'A' }, { open: ['B', 'X'] }, { complete: 'X' }, { complete: 'B' }],
    expect: { completed: ['start', 'A', { set: ['raise', 'onEsc'] }, 'X', 'endX', 'esp', 'B', 'end'], status: 'completed', openTasks: [] },
  },
  // An escalation thrown inside a sub-process reaches a non-interrupting escalation boundary on
  // it; the sub-process goes on (§10.4.5 escalation).
  {
    name: 'escalation-non-interrupting-boundary',
    deploy: [
      diagram(
        'c-esc-ni',
        [start(), subProcess('sp', [start('spStart'), task('A'), throwEvent('raise', escalationDef('Esc')), task('B'), end('spEnd'), flows('spStart->A', 'A->raise', 'raise->B', 'B->spEnd')].join('\n')),
          boundary('notified', 'sp', escalationDef('Esc'), false), task('X'), end(), end('endX'), flows('start->sp', 'sp->end', 'notified->X', 'X->endX')].join('\n'),
        escalation('Esc', 'ESC_MANAGER'),
      ),
    ],
    steps: [{ complete: 'A' }, { open: ['B', 'X'] }, { complete: 'X' }, { complete: 'B' }],
    expect: { completed: ['start', 'spStart', 'A', { set: ['raise', 'notified'] }, 'X', 'endX', 'B', 'spEnd', 'sp', 'end'], status: 'completed', openTasks: [] },
  },
  // An escalation end event in a sub-process reaches an interrupting escalation boundary.
  {
    name: 'escalation-end-interrupting-boundary',
    deploy: [
      diagram(
        'c-esc-int',
        [start(), subProcess('sp', [start('spStart'), task('A'), end('raise', escalationDef('Esc')), flows('spStart->A', 'A->raise')].join('\n')),
          boundary('taken', 'sp', escalationDef('Esc')), task('X'), end(), end('endX'), flows('start->sp', 'sp->end', 'taken->X', 'X->endX')].join('\n'),
        escalation('Esc', 'ESC_TAKEOVER'),
      ),
    ],
    steps: [{ complete: 'A' }, { open: ['X'] }, { complete: 'X' }],
    expect: { completed: ['start', 'spStart', 'A', { set: ['raise', 'taken'] }, 'X', 'endX'], status: 'completed', openTasks: [] },
  },

  // ------------------------------------------------------------------ call activities
  // camunda:in/out map variables; the child's end continues the parent.
  {
    name: 'call-activity-in-out-mappings',
    deploy: [
      childProcess('c-call-child'),
      diagram(
        'c-call-parent',
        [start(),
          `<bpmn:callActivity id="call" calledElement="c-call-child"><bpmn:extensionElements><camunda:in source="ticket" target="childTicket"/><camunda:out source="result" target="outcome"/></bpmn:extensionElements></bpmn:callActivity>`,
          gateway('exclusive', 'xs', fid('xs', 'B')), task('A'), task('B'), end(), end('endB'),
          flows('start->call', 'call->xs', "xs->A ? ${outcome == 'fixed'}", 'xs->B', 'A->end', 'B->endB')].join('\n'),
      ),
    ],
    start: { variables: { ticket: 'INC-7', secret: 'not for the child' } },
    steps: [{ open: ['T'] }, { complete: 'T', variables: { result: 'fixed' } }, { open: ['A'] }, { complete: 'A' }],
    expect: {
      completed: ['start', 'call', 'xs', 'A', 'end'],
      status: 'completed',
      openTasks: [],
      variables: { outcome: 'fixed' },
      others: { 'c-call-child': { completed: ['start', 'T', 'end'], status: 'completed', variables: { childTicket: 'INC-7', secret: undefined } } },
    },
  },
  // Cancelling the parent cancels the child: no open task of either remains.
  {
    name: 'call-activity-cancel-parent-cancels-child',
    deploy: [
      diagram('c-call-child2', [start(), task('T'), boundary('remind', 'T', cycle('R/PT1H'), false), end(), end('endR'), flows('start->T', 'T->end', 'remind->endR')].join('\n')),
      diagram('c-call-cancel', [start(), '<bpmn:callActivity id="call" calledElement="c-call-child2"/>', boundary('late', 'call', timer('P1D')), end(), end('endLate'), flows('start->call', 'call->end', 'late->endLate')].join('\n')),
    ],
    steps: [{ open: ['T'] }, { cancel: 'withdrawn' }],
    expect: { completed: ['start'], status: 'cancelled', openTasks: [], timers: 0, others: { 'c-call-child2': { status: 'cancelled' } } },
  },
  // An error end event in the child reaches the error boundary on the call activity.
  {
    name: 'call-activity-child-error-caught-by-boundary',
    deploy: [
      diagram('c-call-child3', [start(), task('T'), end('failed', errorDef('Err')), flows('start->T', 'T->failed')].join('\n'), error('Err', 'CHILD_FAILED')),
      diagram(
        'c-call-error',
        [start(), '<bpmn:callActivity id="call" calledElement="c-call-child3"/>', boundary('caught', 'call', errorDef('Err')), task('H'), end(), end('endH'),
          flows('start->call', 'call->end', 'caught->H', 'H->endH')].join('\n'),
        error('Err', 'CHILD_FAILED'),
      ),
    ],
    steps: [{ complete: 'T' }, { open: ['H'] }, { complete: 'H' }],
    expect: { completed: ['start', 'caught', 'H', 'endH'], status: 'completed', openTasks: [] },
  },
  // An interrupting timer boundary on the call activity cancels the child.
  {
    name: 'call-activity-interrupting-boundary-cancels-child',
    deploy: [
      childProcess('c-call-child4'),
      diagram(
        'c-call-timeout',
        [start(), '<bpmn:callActivity id="call" calledElement="c-call-child4"/>', boundary('late', 'call', timer('PT1H')), task('H'), end(), end('endH'),
          flows('start->call', 'call->end', 'late->H', 'H->endH')].join('\n'),
      ),
    ],
    steps: [{ open: ['T'] }, { advance: HOUR + 1000 }, { open: ['H'] }, { complete: 'H' }],
    expect: { completed: ['start', 'late', 'H', 'endH'], status: 'completed', openTasks: [], others: { 'c-call-child4': { status: 'cancelled' } } },
  },

  // camunda:in variables="all" copies every variable; camunda:in businessKey passes the parent's.
  {
    name: 'call-activity-all-variables-and-business-key',
    deploy: [
      childProcess('c-call-child5'),
      diagram(
        'c-call-all',
        [start(),
          `<bpmn:callActivity id="call" calledElement="c-call-child5"><bpmn:extensionElements><camunda:in variables="all"/><camunda:in businessKey="\${execution.processBusinessKey}"/><camunda:out variables="all"/></bpmn:extensionElements></bpmn:callActivity>`,
          end(), flows('start->call', 'call->end')].join('\n'),
      ),
    ],
    start: { variables: { impact: 'high', service: 'mail' }, businessKey: 'CHG-5' },
    steps: [{ complete: 'T', variables: { approvedBy: 'cab' } }],
    expect: {
      completed: ['start', 'call', 'end'],
      status: 'completed',
      variables: { approvedBy: 'cab', impact: 'high' },
      others: { 'c-call-child5': { status: 'completed', businessKey: 'CHG-5', variables: { impact: 'high', service: 'mail' } } },
    },
  },

  // ------------------------------------------------------------------ multi-instance and loops
  // A CAB quorum: 4 parallel votes, done when 3 are in; the 4th is cancelled.
  {
    name: 'multi-instance-parallel-completion-condition',
    deploy: [
      diagram(
        'c-mi-quorum',
        [start(),
          task('vote', '<bpmn:multiInstanceLoopCharacteristics isSequential="false" camunda:collection="${cab}" camunda:elementVariable="member"><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${nrOfCompletedInstances >= 3}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>'),
          task('implement'), end(), flows('start->vote', 'vote->implement', 'implement->end')].join('\n'),
      ),
    ],
    start: { variables: { cab: ['ann', 'ben', 'cid', 'dan'] } },
    steps: [{ open: ['vote', 'vote', 'vote', 'vote'] }, { complete: 'vote' }, { complete: 'vote' }, { open: ['vote', 'vote'] }, { complete: 'vote' }, { open: ['implement'] }, { complete: 'implement' }],
    expect: { completed: ['start', 'vote', 'vote', 'vote', 'vote', 'implement', 'end'], status: 'completed', openTasks: [] },
  },
  {
    name: 'multi-instance-sequential-completion-condition',
    deploy: [
      diagram(
        'c-mi-seq',
        [start(),
          task('step', '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>4</bpmn:loopCardinality><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${nrOfCompletedInstances >= 2}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>'),
          task('after'), end(), flows('start->step', 'step->after', 'after->end')].join('\n'),
      ),
    ],
    steps: [{ open: ['step'] }, { complete: 'step' }, { open: ['step'] }, { complete: 'step' }, { open: ['after'] }, { complete: 'after' }],
    expect: { completed: ['start', 'step', 'step', 'step', 'after', 'end'], status: 'completed', openTasks: [] },
  },
  {
    name: 'multi-instance-parallel-sub-process',
    deploy: [
      diagram(
        'c-mi-sub',
        [start(),
          subProcess('sp', [start('spStart'), task('W'), end('spEnd'), flows('spStart->W', 'W->spEnd')].join('\n'), '', '<bpmn:multiInstanceLoopCharacteristics isSequential="false"><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>'),
          end(), flows('start->sp', 'sp->end')].join('\n'),
      ),
    ],
    steps: [{ open: ['W', 'W'] }, { complete: 'W' }, { open: ['W'] }, { complete: 'W' }],
    expect: { completed: ['start', { set: ['spStart', 'spStart'] }, 'W', 'spEnd', 'sp', 'W', 'spEnd', 'sp', 'sp', 'end'], status: 'completed', openTasks: [] },
  },
  // Standard loop bounded by loopMaximum: three iterations, one task at a time.
  {
    name: 'standard-loop-maximum',
    deploy: [
      diagram(
        'c-loop',
        [start(), task('attempt', '<bpmn:standardLoopCharacteristics loopMaximum="3"/>'), end(), flows('start->attempt', 'attempt->end')].join('\n'),
      ),
    ],
    steps: [{ open: ['attempt'] }, { complete: 'attempt' }, { open: ['attempt'] }, { complete: 'attempt' }, { open: ['attempt'] }, { complete: 'attempt' }],
    expect: { completed: ['start', 'attempt', 'attempt', 'attempt', 'attempt', 'end'], status: 'completed', openTasks: [] },
  },

  // ------------------------------------------------------------------ data
  // camunda:inputOutput output parameters on a user task map its result into process variables.
  {
    name: 'data-output-parameter-on-user-task',
    deploy: [
      diagram(
        'c-data-output',
        [start(),
          task('assess', '<bpmn:extensionElements><camunda:inputOutput><camunda:outputParameter name="riskLevel">${score > 7}</camunda:outputParameter></camunda:inputOutput></bpmn:extensionElements>'),
          gateway('exclusive', 'xs', fid('xs', 'low')), task('high'), task('low'), end(), end('endLow'),
          flows('start->assess', 'assess->xs', 'xs->high ? ${riskLevel == true}', 'xs->low', 'high->end', 'low->endLow')].join('\n'),
      ),
    ],
    steps: [{ complete: 'assess', variables: { score: 9 } }, { open: ['high'] }, { complete: 'high' }],
    expect: { completed: ['start', 'assess', 'xs', 'high', 'end'], status: 'completed', openTasks: [], variables: { riskLevel: true } },
  },
  // A sub-process sees the process variables as they are now, not as they were when it started.
  {
    name: 'data-sub-process-sees-current-variables',
    deploy: [
      diagram(
        'c-data-sub',
        [start(), gateway('parallel', 'fork'), task('A'), end('endA'),
          subProcess('sp', [start('spStart'), task('W'), gateway('exclusive', 'xs', fid('xs', 'old')), task('fresh'), task('old'), end('spEnd'), end('spEnd2'),
            flows('spStart->W', 'W->xs', "xs->fresh ? ${status == 'updated'}", 'xs->old', 'fresh->spEnd', 'old->spEnd2')].join('\n')),
          end(), flows('start->fork', 'fork->A', 'A->endA', 'fork->sp', 'sp->end')].join('\n'),
      ),
    ],
    start: { variables: { status: 'initial' } },
    steps: [{ complete: 'A', variables: { status: 'updated' } }, { complete: 'W' }, { open: ['fresh'] }, { complete: 'fresh' }],
    expect: { completed: ['start', 'fork', 'spStart', 'A', 'endA', 'W', 'xs', 'fresh', 'spEnd', 'sp', 'end'], status: 'completed', openTasks: [] },
  },

  // ------------------------------------------------------------------ end events, links, compensation
  {
    name: 'terminate-end-event',
    deploy: [
      diagram(
        'c-terminate',
        [start(), gateway('parallel', 'fork'), task('A'), task('B'), end('kill', terminateDef), end('endB'), flows('start->fork', 'fork->A', 'fork->B', 'A->kill', 'B->endB')].join('\n'),
      ),
    ],
    steps: [{ open: ['A', 'B'] }, { complete: 'A' }],
    expect: { completed: ['start', 'fork', 'A', 'kill'], status: 'completed', openTasks: [] },
  },
  // A link throw continues at the catch with the same name; an unreached catch is not active.
  // A link pair is a "go to" / off-page connector (BPMN 2.0, Link event definition): a sequence flow
  // drawn in two halves. The throw completes when it throws and the token then reaches the catch,
  // so `goto` completes before `landing` (one command; causal order, as along a sequence flow).
  {
    name: 'link-events',
    deploy: [
      diagram(
        'c-link',
        [start(), task('A'), throwEvent('goto', linkDef('L')), catchEvent('landing', linkDef('L')), task('B'), end(), flows('start->A', 'A->goto', 'landing->B', 'B->end')].join('\n'),
      ),
    ],
    steps: [{ active: ['A'] }, { complete: 'A' }, { open: ['B'] }, { complete: 'B' }],
    expect: { completed: ['start', 'A', 'goto', 'landing', 'B', 'end'], status: 'completed', openTasks: [] },
  },
  // Compensation: a throw compensation event runs the handler of the completed activity A
  // (isForCompensation), and waits for it (§13.5.5, waitForCompletion defaults to true).
  {
    name: 'compensation-throw-runs-handler',
    knownDeviation:
      'a compensation throw event does not wait for its handlers (waitForCompletion): the flow continues at once and the handler completes after the end',
    deploy: [
      diagram(
        'c-compensate',
        [start(), task('A'), '<bpmn:boundaryEvent id="compA" attachedToRef="A"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>',
          task('undoA', '', 'isForCompensation="true"'), task('B'), throwEvent('undo', '<bpmn:compensateEventDefinition/>'), end(),
          '<bpmn:association id="assoc" associationDirection="One" sourceRef="compA" targetRef="undoA"/>',
          flows('start->A', 'A->B', 'B->undo', 'undo->end')].join('\n'),
      ),
    ],
    steps: [{ complete: 'A' }, { complete: 'B' }, { open: ['undoA'] }, { complete: 'undoA' }],
    expect: { completed: ['start', 'A', 'B', 'undoA', 'undo', 'end'], status: 'completed', openTasks: [], ignore: ['compA'] },
  },
];

/** start → T (user task) → end. */
function childProcess(id: string): string {
  return diagram(id, [start(), task('T'), end(), flows('start->T', 'T->end')].join('\n'));
}

conformanceSuite('conformance: BPMN constructs (HTTP API)', CONSTRUCT_CASES, [charge]);
