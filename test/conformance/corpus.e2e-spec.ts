/**
 * Diagrams drawn by other tools (from ../shared/corpus, unchanged) that use the constructs of the
 * conformance suite, run to their end through the HTTP API: every task that appears is completed,
 * timers are fired, messages are sent as the diagram's partners would. Skipped when the corpus
 * folder is absent (as test/integration/corpus.e2e-spec.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ConformanceCase } from './harness';
import { conformanceSuite } from './suite';

const CORPUS = resolve(__dirname, '..', '..', '..', 'shared', 'corpus');
const DAY = 24 * 3_600_000;
const file = (path: string) => readFileSync(join(CORPUS, path), 'utf8');

function corpusCases(): ConformanceCase[] {
  return [
    // Flowable's test model exported by Activiti Designer: a message start event, one user task
    // (declares ISO-8859-1, the bytes are UTF-8; messageRef="tns:writeReport" is a QName). The
    // task has no assignee or candidates: the admin gives it to alice, who completes it.
    {
      name: 'corpus-flowable-encoding-message-start',
      deploy: [file('flowable/encoding.bpmn')],
      start: { message: 'newWriteReport' },
      steps: [{ open: ['writeReportTask'] }, { assign: 'writeReportTask', to: 'alice' }, { complete: 'writeReportTask', as: 'alice' }],
      expect: { completed: ['theStart', 'writeReportTask', 'theEnd'], status: 'completed', openTasks: [] },
    },
    // MIWG C.1.0, Signavio + Activiti extensions: invoice receipt. As exported, it cannot run on
    // any engine: its message events name no message (the messages come by message flows from
    // other pools), a timer has no value, the archive task is a web service. The deploy must
    // refuse it, naming the first such element (the message start event without messageRef).
    {
      name: 'corpus-miwg-C.1.0-signavio-invoice-refused',
      deploy: [file('miwg/reference/C.1.0.bpmn')],
      steps: [],
      expect: {},
      refused: { status: 422, rule: 'missing-message', elementId: 'sid-36EA43D1-0FE6-4197-AC57-7A43785B784B' },
    },
    // MIWG C.9.1, Camunda Modeler (Camunda 7 + 8 attributes): a receive task correlated by
    // zeebe:subscription correlationKey, a daily non-interrupting reminder timer and a one-week
    // interrupting timer. One reminder goes out, then the document arrives.
    {
      name: 'corpus-miwg-C.9.1-camunda-document-request',
      knownDeviation: 'the send tasks are Camunda 7 external tasks (camunda:type="external"), refused at deploy until external tasks exist (issue 12)',
      deploy: [file('miwg/reference/C.9.1.bpmn')],
      start: { variables: { documentReferenceId: 'DOC-1' } },
      steps: [
        { advance: DAY + 60_000 },
        { message: 'MESSAGE_documentReceived', correlationKey: 'DOC-2', expectStatus: 404 },
        { message: 'MESSAGE_documentReceived', correlationKey: 'DOC-1', expectStatus: 200 },
      ],
      expect: {
        completed: ['StartEvent_DocumentRequested', 'SendTask_RequestDocument', 'BoundaryEvent_1', 'SendTask_SendReminderEmail', 'EndEvent_ReminderSent', 'ReceiveTask_WaitForDocument', 'EndEvent_GotDocument'],
        status: 'completed',
        openTasks: [],
      },
    },
    // MIWG C.9.1 again, the other way: nobody answers for a week; the interrupting timer withdraws
    // the receive task and a person calls the customer (6 daily reminders fire before).
    {
      name: 'corpus-miwg-C.9.1-camunda-document-timeout',
      knownDeviation: 'the send tasks are Camunda 7 external tasks (camunda:type="external"), refused at deploy until external tasks exist (issue 12)',
      deploy: [file('miwg/reference/C.9.1.bpmn').replaceAll('requestDocument_en', 'requestDocument_timeout')],
      start: { variables: { documentReferenceId: 'DOC-9' } },
      steps: [...Array.from({ length: 7 }, () => ({ advance: DAY })), { advance: 60_000 }, { open: ['UserTask_CallCustomer'] }, { assign: 'UserTask_CallCustomer', to: 'alice' }, { complete: 'UserTask_CallCustomer', as: 'alice' }],
      expect: { status: 'completed', openTasks: [] },
    },
    // MIWG C.9.2, Camunda Modeler: a manual decision with a 7-day timeout, event sub-processes
    // (message, timer cycle, fraud check) and a call activity; decided on the first day.
    {
      name: 'corpus-miwg-C.9.2-camunda-manual-check',
      knownDeviation:
        'refused at deploy: a send task implemented only by a Camunda 8 job worker (zeebe:taskDefinition; job workers, like external tasks, are issue 12) and a multi-instance call activity over a zeebe:loopCharacteristics inputCollection (neither Camunda 8 multi-instance nor multi-instance call activities are supported)',
      deploy: [file('miwg/reference/C.9.2.bpmn')],
      start: { variables: { documentReferenceId: 'DOC-3', fraudSuspectedId: 'F-3' } },
      steps: [{ open: ['UserTask_DecideOnApplication'] }, { assign: 'UserTask_DecideOnApplication', to: 'alice' }, { complete: 'UserTask_DecideOnApplication', as: 'alice' }],
      expect: { completed: ['StartEvent_DecideManually', 'UserTask_DecideOnApplication', 'EndEvent_ManuallyDecided'], status: 'completed', openTasks: [] },
    },
  ];
}

conformanceSuite('conformance: diagrams from other tools run to their end (HTTP API)', existsSync(CORPUS) ? corpusCases() : []);
