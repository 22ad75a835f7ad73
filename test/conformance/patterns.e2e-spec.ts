/**
 * Workflow control-flow patterns (Russell, ter Hofstede, van der Aalst, Mulyar 2006; WCP-n) in
 * their BPMN 2.0 encodings, each a small diagram with user tasks so every wait is visible, and the
 * sequence of completed elements the BPMN 2.0 execution semantics (OMG formal/2011-01-03, §13)
 * prescribe. Where the BPMN encoding is a choice, the comment above the case says which and why.
 */
import type { ConformanceCase } from './harness';
import { conformanceSuite } from './suite';
import {
  boundary,
  catchEvent,
  conditionalDef,
  cycle,
  diagram,
  end,
  fid,
  flows,
  gateway,
  message,
  messageDef,
  parallelMI,
  start,
  subProcess,
  task,
  terminateDef,
  timer,
} from './dsl';

const HOUR = 3_600_000;

export const PATTERN_CASES: ConformanceCase[] = [
  // WCP-1 Sequence: a task is enabled after the completion of the preceding one.
  {
    name: 'wcp01-sequence',
    deploy: [diagram('c-wcp01', [start(), task('A'), task('B'), end(), flows('start->A', 'A->B', 'B->end')].join('\n'))],
    steps: [{ open: ['A'] }, { complete: 'A' }, { open: ['B'] }, { complete: 'B' }],
    expect: { completed: ['start', 'A', 'B', 'end'], status: 'completed', openTasks: [] },
  },

  // WCP-2 Parallel split and WCP-3 Synchronisation: a parallel gateway forks; the parallel join
  // waits for a token on every incoming flow (§13.3.2).
  {
    name: 'wcp02-03-parallel-split-synchronisation',
    deploy: [
      diagram(
        'c-wcp02',
        [start(), gateway('parallel', 'fork'), task('A'), task('B'), gateway('parallel', 'join'), task('C'), end(),
          flows('start->fork', 'fork->A', 'fork->B', 'A->join', 'B->join', 'join->C', 'C->end')].join('\n'),
      ),
    ],
    steps: [{ open: ['A', 'B'] }, { complete: 'A' }, { open: ['B'] }, { complete: 'B' }, { open: ['C'] }, { complete: 'C' }],
    expect: { completed: ['start', 'fork', 'A', 'B', 'join', 'C', 'end'], status: 'completed', openTasks: [] },
  },

  // WCP-4 Exclusive choice and WCP-5 Simple merge: the first flow whose condition holds, else the
  // default flow (§13.3.2 exclusive gateway); a converging exclusive gateway passes each token.
  ...(['high', 'low'] as const).map((level): ConformanceCase => ({
    name: `wcp04-05-exclusive-choice-simple-merge-${level}`,
    deploy: [
      diagram(
        `c-wcp04-${level}`,
        [start(), task('A'), gateway('exclusive', 'xs', fid('xs', 'C')), task('B'), task('C'), gateway('exclusive', 'xm'), task('D'), end(),
          flows('start->A', 'A->xs', 'xs->B ? ${amount > 100}', 'xs->C', 'B->xm', 'C->xm', 'xm->D', 'D->end')].join('\n'),
      ),
    ],
    steps: [{ complete: 'A', variables: { amount: level === 'high' ? 500 : 5 } }, { open: [level === 'high' ? 'B' : 'C'] }, { complete: level === 'high' ? 'B' : 'C' }, { complete: 'D' }],
    expect: { completed: ['start', 'A', 'xs', level === 'high' ? 'B' : 'C', 'xm', 'D', 'end'], status: 'completed', openTasks: [] },
  })),

  // WCP-6 Multi-choice: a diverging inclusive gateway takes every flow whose condition holds.
  {
    name: 'wcp06-multi-choice',
    deploy: [
      diagram(
        'c-wcp06',
        [start(), task('A'), gateway('inclusive', 'or'), task('B'), task('C'), task('D'), end('eB'), end('eC'), end('eD'),
          flows('start->A', 'A->or', 'or->B ? ${b}', 'or->C ? ${c}', 'or->D ? ${d}', 'B->eB', 'C->eC', 'D->eD')].join('\n'),
      ),
    ],
    steps: [{ complete: 'A', variables: { b: true, c: true, d: false } }, { open: ['B', 'C'] }, { complete: 'B' }, { complete: 'C' }],
    expect: { completed: ['start', 'A', 'or', 'B', 'eB', 'C', 'eC'], status: 'completed', openTasks: [] },
  },

  // WCP-7 Structured synchronising merge: the converging inclusive gateway (OR-join) waits for
  // every incoming flow that can still receive a token, and only those (§13.3.2 inclusive gateway).
  {
    name: 'wcp07-structured-synchronising-merge',
    deploy: [orJoin('c-wcp07')],
    steps: [{ complete: 'A', variables: { b: true, c: true, d: false } }, { open: ['B', 'C'] }, { complete: 'B' }, { open: ['C'] }, { complete: 'C' }, { open: ['E'] }, { complete: 'E' }],
    expect: { completed: ['start', 'A', 'or', 'B', 'C', 'orj', 'E', 'end'], status: 'completed', openTasks: [] },
  },
  // ... and with one branch taken it does not wait for the two that received no token.
  {
    name: 'wcp07-synchronising-merge-single-branch',
    deploy: [orJoin('c-wcp07-single')],
    steps: [{ complete: 'A', variables: { b: true, c: false, d: false } }, { open: ['B'] }, { complete: 'B' }, { open: ['E'] }, { complete: 'E' }],
    expect: { completed: ['start', 'A', 'or', 'B', 'orj', 'E', 'end'], status: 'completed', openTasks: [] },
  },

  // WCP-8 Multi-merge: each token reaching the converging exclusive gateway passes on, so the
  // task after it runs once per incoming branch (no synchronisation).
  {
    name: 'wcp08-multi-merge',
    knownDeviation:
      'a second token reaching a running activity waits until the running execution ends (bpmn-elements runs one execution per activity); BPMN runs both at once',
    deploy: [
      diagram(
        'c-wcp08',
        [start(), gateway('parallel', 'fork'), task('A'), task('B'), gateway('exclusive', 'm'), task('C'), end(),
          flows('start->fork', 'fork->A', 'fork->B', 'A->m', 'B->m', 'm->C', 'C->end')].join('\n'),
      ),
    ],
    steps: [{ complete: 'A' }, { open: ['B', 'C'] }, { complete: 'B' }, { open: ['C', 'C'] }, { complete: 'C' }, { open: ['C'] }, { complete: 'C' }],
    expect: { completed: ['start', 'fork', 'A', 'm', 'B', 'm', 'C', 'end', 'C', 'end'], status: 'completed', openTasks: [] },
  },

  // WCP-9 Discriminator. Its direct BPMN encoding is a complex gateway, which this server refuses
  // by design (issue 7: "complex gateways stay refused"): the deploy must say so with a 422 naming
  // the gateway.
  {
    name: 'wcp09-discriminator-complex-gateway-refused',
    deploy: [
      diagram(
        'c-wcp09-complex',
        [start(), gateway('parallel', 'fork'), task('A'), task('B'), gateway('complex', 'disc'), task('D'), end(),
          flows('start->fork', 'fork->A', 'fork->B', 'A->disc', 'B->disc', 'disc->D', 'D->end')].join('\n'),
      ),
    ],
    steps: [],
    expect: {},
    refused: { status: 422, rule: 'no-complex-gateway', elementId: 'disc' },
  },
  // WCP-29 Cancelling discriminator, the runnable encoding: the parallel branches sit in an
  // embedded sub-process and each ends in a terminate end event, which ends the sub-process only
  // (§13.5.6: terminate ends all activities of the enclosing sub-process instance); the first
  // branch to finish continues the flow after the sub-process and the others are cancelled.
  {
    name: 'wcp09-cancelling-discriminator',
    deploy: [
      diagram(
        'c-wcp09',
        [
          start(),
          subProcess(
            'sp',
            [start('spStart'), gateway('parallel', 'fork'), task('A'), task('B'), task('C'), end('tA', terminateDef), end('tB', terminateDef), end('tC', terminateDef),
              flows('spStart->fork', 'fork->A', 'fork->B', 'fork->C', 'A->tA', 'B->tB', 'C->tC')].join('\n'),
          ),
          task('D'),
          end(),
          flows('start->sp', 'sp->D', 'D->end'),
        ].join('\n'),
      ),
    ],
    steps: [{ open: ['A', 'B', 'C'] }, { complete: 'B' }, { open: ['D'] }, { complete: 'D' }],
    expect: { completed: ['start', 'spStart', 'fork', 'B', 'tB', 'sp', 'D', 'end'], status: 'completed', openTasks: [] },
  },

  // WCP-10 Arbitrary cycles: an unstructured loop with two entry points (m1 before A, m2 before B)
  // built from exclusive gateways.
  {
    name: 'wcp10-arbitrary-cycles',
    deploy: [
      diagram(
        'c-wcp10',
        [start(), gateway('exclusive', 'm1'), task('A'), gateway('exclusive', 'm2'), task('B'), gateway('exclusive', 'x', fid('x', 'end')), end(),
          flows('start->m1', 'm1->A', 'A->m2', 'm2->B', 'B->x', "x->m1 ? ${next == 'A'}", "x->m2 ? ${next == 'B'}", 'x->end')].join('\n'),
      ),
    ],
    steps: [
      { complete: 'A' },
      { complete: 'B', variables: { next: 'B' } },
      { complete: 'B', variables: { next: 'A' } },
      { complete: 'A' },
      { complete: 'B', variables: { next: 'done' } },
    ],
    expect: { completed: ['start', 'm1', 'A', 'm2', 'B', 'x', 'm2', 'B', 'x', 'm1', 'A', 'm2', 'B', 'x', 'end'], status: 'completed', openTasks: [] },
  },

  // WCP-13 Multiple instances with a priori design-time knowledge: loopCardinality 3, parallel.
  // A multi-instance activity completes each of its instances, then itself (§13.3.7), so the
  // element id appears once per instance and once more for the whole activity.
  {
    name: 'wcp13-mi-design-time',
    deploy: [diagram('c-wcp13', [start(), task('review', parallelMI('3')), task('after'), end(), flows('start->review', 'review->after', 'after->end')].join('\n'))],
    steps: [{ open: ['review', 'review', 'review'] }, { complete: 'review' }, { complete: 'review' }, { open: ['review'] }, { complete: 'review' }, { open: ['after'] }, { complete: 'after' }],
    expect: { completed: ['start', 'review', 'review', 'review', 'review', 'after', 'end'], status: 'completed', openTasks: [] },
  },

  // WCP-14 Multiple instances with a priori run-time knowledge: one instance per element of the
  // collection given when the instance starts (camunda:collection / camunda:elementVariable).
  {
    name: 'wcp14-mi-run-time',
    deploy: [
      diagram(
        'c-wcp14',
        [start(),
          task('review', '<bpmn:multiInstanceLoopCharacteristics isSequential="false" camunda:collection="${reviewers}" camunda:elementVariable="reviewer"/>'),
          task('after'), end(), flows('start->review', 'review->after', 'after->end')].join('\n'),
      ),
    ],
    start: { variables: { reviewers: ['alice', 'bob'] } },
    steps: [{ open: ['review', 'review'] }, { complete: 'review' }, { open: ['review'] }, { complete: 'review', as: 'bob' }, { open: ['after'] }, { complete: 'after' }],
    expect: { completed: ['start', 'review', 'review', 'review', 'after', 'end'], status: 'completed', openTasks: [] },
  },

  // WCP-15 Multiple instances without a priori run-time knowledge: how many instances is decided
  // while they run. Encoded as a standard loop (§13.3.6): the loop continues while loopCondition
  // holds, tested after each iteration (testBefore=false); each iteration decides `more`.
  {
    name: 'wcp15-mi-without-a-priori-knowledge',
    deploy: [
      diagram(
        'c-wcp15',
        [start(),
          task('item', '<bpmn:standardLoopCharacteristics testBefore="false"><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">${more}</bpmn:loopCondition></bpmn:standardLoopCharacteristics>'),
          task('after'), end(), flows('start->item', 'item->after', 'after->end')].join('\n'),
      ),
    ],
    steps: [
      { open: ['item'] },
      { complete: 'item', variables: { more: true } },
      { open: ['item'] },
      { complete: 'item', variables: { more: true } },
      { open: ['item'] },
      { complete: 'item', variables: { more: false } },
      { open: ['after'] },
      { complete: 'after' },
    ],
    expect: { completed: ['start', 'item', 'item', 'item', 'item', 'after', 'end'], status: 'completed', openTasks: [] },
  },

  // WCP-16 Deferred choice: an event-based gateway; the first event to occur decides the branch
  // and the other catch is withdrawn (§13.3.2). The gateway and the winning event complete in the
  // same step; their relative order is left open.
  {
    name: 'wcp16-deferred-choice-message-wins',
    deploy: [deferredChoice('c-wcp16-msg', 'wcp16-reply')],
    steps: [{ complete: 'A' }, { open: [] }, { message: 'wcp16-reply' }, { open: ['B'] }, { complete: 'B' }],
    expect: { completed: ['start', 'A', { set: ['ebg', 'reply'] }, 'B', 'endB'], status: 'completed', openTasks: [] },
  },
  {
    name: 'wcp16-deferred-choice-timer-wins',
    deploy: [deferredChoice('c-wcp16-timer', 'wcp16-reply-late')],
    steps: [{ complete: 'A' }, { advance: HOUR + 1000 }, { open: ['C'] }, { message: 'wcp16-reply-late', expectStatus: 404 }, { complete: 'C' }],
    expect: { completed: ['start', 'A', { set: ['ebg', 'timeout'] }, 'C', 'endC'], status: 'completed', openTasks: [] },
  },

  // WCP-17 Interleaved routing: a set of tasks all performed, one at a time. Encoded as a
  // sequential multi-instance user task over the work items (§13.3.7, isSequential="true"): the
  // next item is offered only when the previous one is completed, never two at once.
  {
    name: 'wcp17-interleaved-routing',
    deploy: [
      diagram(
        'c-wcp17',
        [start(),
          task('work', '<bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="${items}" camunda:elementVariable="item"/>'),
          end(), flows('start->work', 'work->end')].join('\n'),
      ),
    ],
    start: { variables: { items: ['check backups', 'patch', 'reboot'] } },
    steps: [{ open: ['work'] }, { complete: 'work' }, { open: ['work'] }, { complete: 'work' }, { open: ['work'] }, { complete: 'work' }, { open: [] }],
    expect: { completed: ['start', 'work', 'work', 'work', 'work', 'end'], status: 'completed', openTasks: [] },
  },

  // WCP-18 Milestone: "request change" is possible only while `M` (the milestone state: the
  // change is being implemented) is active. Encoded as a non-interrupting message boundary event
  // on M: it opens X for every message while M runs, and once M is done nobody listens (404).
  {
    name: 'wcp18-milestone-boundary',
    deploy: [
      diagram(
        'c-wcp18',
        [start(), task('M'), boundary('req', 'M', messageDef('Msg_req'), false), task('X'), end(), end('endX'),
          flows('start->M', 'M->end', 'req->X', 'X->endX')].join('\n'),
        message('Msg_req', 'wcp18-request-change'),
      ),
    ],
    steps: [{ message: 'wcp18-request-change' }, { open: ['M', 'X'] }, { complete: 'M' }, { message: 'wcp18-request-change', expectStatus: 404 }, { open: ['X'] }, { complete: 'X' }],
    expect: { completed: ['start', 'req', 'M', 'end', 'X', 'endX'], status: 'completed', openTasks: [] },
  },
  // WCP-18, the state-based encoding: X waits on a conditional event that becomes true when the
  // process reaches the milestone (A completed with state=milestone), re-evaluated after every
  // command that changes variables (§13.5.4 conditional events).
  {
    name: 'wcp18-milestone-conditional',
    deploy: [
      diagram(
        'c-wcp18-cond',
        [start(), gateway('parallel', 'fork'), task('A'), task('B'), end('endB'), catchEvent('reached', conditionalDef("${state == 'milestone'}")), task('X'), end('endX'),
          flows('start->fork', 'fork->A', 'A->B', 'B->endB', 'fork->reached', 'reached->X', 'X->endX')].join('\n'),
      ),
    ],
    start: { variables: { state: 'started' } },
    steps: [{ open: ['A'] }, { complete: 'A', variables: { state: 'milestone' } }, { open: ['B', 'X'] }, { complete: 'X' }, { complete: 'B' }],
    expect: { completed: ['start', 'fork', 'A', 'reached', 'X', 'endX', 'B', 'endB'], status: 'completed', openTasks: [] },
  },

  // WCP-19 Cancel activity: an interrupting boundary event withdraws the task (§13.5.3); the
  // task is cancelled, not completed.
  {
    name: 'wcp19-cancel-activity',
    deploy: [
      diagram(
        'c-wcp19',
        [start(), task('A'), boundary('deadline', 'A', timer('PT1H')), task('X'), end(), end('endX'), flows('start->A', 'A->end', 'deadline->X', 'X->endX')].join('\n'),
      ),
    ],
    steps: [{ open: ['A'] }, { advance: HOUR + 1000 }, { open: ['X'] }, { complete: 'X' }],
    expect: { completed: ['start', 'deadline', 'X', 'endX'], status: 'completed', openTasks: [] },
  },

  // WCP-20 Cancel case: cancelling the instance withdraws every open task.
  {
    name: 'wcp20-cancel-case',
    deploy: [
      diagram(
        'c-wcp20',
        [start(), gateway('parallel', 'fork'), task('A'), boundary('remind', 'A', cycle('R/PT1H'), false), task('B'), end('endA'), end('endB'), end('endR'),
          flows('start->fork', 'fork->A', 'fork->B', 'A->endA', 'B->endB', 'remind->endR')].join('\n'),
      ),
    ],
    steps: [{ open: ['A', 'B'] }, { cancel: 'raised in error' }],
    expect: { completed: ['start', 'fork'], status: 'cancelled', openTasks: [], timers: 0 },
  },
  // WCP-20 inside the model: a terminate end event ends the whole instance and its other branches.
  {
    name: 'wcp20-cancel-case-terminate-end',
    deploy: [
      diagram(
        'c-wcp20-terminate',
        [start(), gateway('parallel', 'fork'), task('A'), task('B'), end('kill', terminateDef), end('endB'), flows('start->fork', 'fork->A', 'fork->B', 'A->kill', 'B->endB')].join('\n'),
      ),
    ],
    steps: [{ complete: 'A' }],
    expect: { completed: ['start', 'fork', 'A', 'kill'], status: 'completed', openTasks: [] },
  },
];

/** start → A → OR split (b, c, d) → B | C | D → OR join → E → end. */
function orJoin(id: string): string {
  return diagram(
    id,
    [start(), task('A'), gateway('inclusive', 'or'), task('B'), task('C'), task('D'), gateway('inclusive', 'orj'), task('E'), end(),
      flows('start->A', 'A->or', 'or->B ? ${b}', 'or->C ? ${c}', 'or->D ? ${d}', 'B->orj', 'C->orj', 'D->orj', 'orj->E', 'E->end')].join('\n'),
  );
}

/** start → A → event-based gateway → (message `name` → B) | (1 h timer → C). */
function deferredChoice(id: string, name: string): string {
  return diagram(
    id,
    [start(), task('A'), gateway('eventBased', 'ebg'), catchEvent('reply', messageDef('Msg_reply')), catchEvent('timeout', timer('PT1H')), task('B'), task('C'), end('endB'), end('endC'),
      flows('start->A', 'A->ebg', 'ebg->reply', 'ebg->timeout', 'reply->B', 'timeout->C', 'B->endB', 'C->endC')].join('\n'),
    message('Msg_reply', name),
  );
}

conformanceSuite('conformance: workflow control-flow patterns (HTTP API)', PATTERN_CASES);
