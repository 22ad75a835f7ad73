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
    // MIWG C.1.0, Signavio + Activiti extensions: invoice receipt started by a message, approver
    // assignment, exclusive choice on ${approved}, a service task, end.
    {
      name: 'corpus-miwg-C.1.0-signavio-invoice',
      deploy: [file('miwg/reference/C.1.0.bpmn')],
      start: { message: 'invoice-received-C.1.0' },
      steps: [
        { complete: 'assignApprover', as: 'admin' },
        { complete: 'approveInvoice', as: 'admin', variables: { approved: true } },
        { complete: 'prepareBankTransfer', as: 'admin' },
      ],
      expect: {
        completed: ['StartEvent_1', 'assignApprover', 'approveInvoice', 'invoice_approved', 'prepareBankTransfer', 'archiveInvoice', 'invoiceProcessed'],
        status: 'completed',
        openTasks: [],
      },
    },
    // MIWG C.9.1, Camunda Modeler (Camunda 7 + 8 attributes): a receive task correlated by
    // zeebe:subscription correlationKey, a daily non-interrupting reminder timer and a one-week
    // interrupting timer. One reminder goes out, then the document arrives.
    {
      name: 'corpus-miwg-C.9.1-camunda-document-request',
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
      deploy: [file('miwg/reference/C.9.1.bpmn').replaceAll('requestDocument_en', 'requestDocument_timeout')],
      start: { variables: { documentReferenceId: 'DOC-9' } },
      steps: [...Array.from({ length: 7 }, () => ({ advance: DAY })), { advance: 60_000 }, { open: ['UserTask_CallCustomer'] }, { assign: 'UserTask_CallCustomer', to: 'alice' }, { complete: 'UserTask_CallCustomer', as: 'alice' }],
      expect: { status: 'completed', openTasks: [] },
    },
    // MIWG C.9.2, Camunda Modeler: a manual decision with a 7-day timeout, event sub-processes
    // (message, timer cycle, fraud check) and a call activity; decided on the first day.
    {
      name: 'corpus-miwg-C.9.2-camunda-manual-check',
      deploy: [file('miwg/reference/C.9.2.bpmn')],
      start: { variables: { documentReferenceId: 'DOC-3', fraudSuspectedId: 'F-3' } },
      steps: [{ open: ['UserTask_DecideOnApplication'] }, { assign: 'UserTask_DecideOnApplication', to: 'alice' }, { complete: 'UserTask_DecideOnApplication', as: 'alice' }],
      expect: { completed: ['StartEvent_DecideManually', 'UserTask_DecideOnApplication', 'EndEvent_ManuallyDecided'], status: 'completed', openTasks: [] },
    },
  ];
}

conformanceSuite('conformance: diagrams from other tools run to their end (HTTP API)', existsSync(CORPUS) ? corpusCases() : []);
