import { isSelectEntryEdited, isTextFieldEntryEdited, SelectEntry, TextFieldEntry } from '@bpmn-io/properties-panel';
import { createElement as h } from '@bpmn-io/properties-panel/preact';
import { useService } from 'bpmn-js-properties-panel';
import { is, isAny } from 'bpmn-js/lib/util/ModelUtil';
import {
  allFlowElements,
  bo,
  execute,
  handlerName,
  inputValue,
  listOf,
  setInputValue,
  text,
  update,
  type Bo,
  type BpmnFactory,
  type CommandStack,
  type Shape,
} from './model-access';
import type ServerCatalogService from './ServerCatalogService';

interface Entry {
  id: string;
  component: (props: { element: Shape; id: string }) => unknown;
  isEdited?: (node: unknown) => boolean;
}
interface Group {
  id: string;
  label: string;
  entries: Entry[];
  component?: unknown;
}
interface Option {
  value: string;
  label: string;
}

/**
 * Groups of the Camunda 7 provider for things the engine does not run: they are not shown, so the
 * panel offers exactly what the engine honours (engine/runtime/extensions.ts). Listeners are even
 * refused at deploy (`unsupported-listener`); the others would be silently ignored.
 */
const UNSUPPORTED_GROUPS = new Set([
  'CamundaPlatform__AsynchronousContinuations',
  'CamundaPlatform__JobExecution',
  'CamundaPlatform__ExternalTask',
  'CamundaPlatform__ExecutionListener',
  'CamundaPlatform__TaskListener',
  'CamundaPlatform__FieldInjection',
  'CamundaPlatform__HistoryCleanup',
  'CamundaPlatform__Tasklist',
  'CamundaPlatform__CandidateStarter',
  'CamundaPlatform__ConnectorInput',
  'CamundaPlatform__ConnectorOutput',
  'CamundaPlatform__Script',
  'CamundaPlatform__ExtensionProperties',
  'CamundaPlatform__FormData',
  'CamundaPlatform__BusinessKey',
  'CamundaPlatform__Errors',
]);

/** Call activity entries for CMMN cases and Java variable mappings, refused by call-activity-rules.ts. */
const UNSUPPORTED_CALL_ENTRIES = new Set([
  'calledElementType',
  'calledElementCaseRef',
  'calledElementCaseBinding',
  'calledElementCaseVersion',
  'calledElementCaseTenantId',
  'calledElementDelegateVariableMappingType',
  'calledElementVariableMappingClass',
  'calledElementVariableMappingDelegateExpression',
]);

/** The record types of itsm:recordType (processes/moddle/itsm.json). */
const RECORD_TYPES = ['incident', 'request', 'problem', 'change', 'slr', 'bct', 'audit', 'nc'];

const SERVICE_LIKE = ['bpmn:ServiceTask', 'bpmn:SendTask'];

/** Elements that wait, where `itsm:pauseSla` is allowed (engine/sla/sla-rules.ts, rule sla-pause). */
const PAUSING = ['bpmn:Activity', 'bpmn:IntermediateCatchEvent'];
/** An SLA clock name (`sla.<name>`), as the deploy rule sla-pause accepts it. */
const CLOCK_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function withCurrent(options: Option[], current: string, noneLabel: string): Option[] {
  const out = [{ value: '', label: noneLabel }, ...options];
  if (current && !options.some((o) => o.value === current)) out.push({ value: current, label: `${current} (not on this server)` });
  return out;
}

function findGroup(groups: Group[], id: string): Group | undefined {
  return groups.find((g) => g.id === id);
}

/**
 * The panel entries for what only this server runs: service handlers from its registry with their
 * inputs, candidate groups and calendars from its lists, message correlation keys, multi-instance
 * output collection, segregation of duties, record type and state, and business-time timer dates.
 */
export default class ItsmPropertiesProvider {
  static $inject = ['propertiesPanel', 'itsmCatalog'];

  private readonly inputComponents = new Map<string, Entry['component']>();

  constructor(
    propertiesPanel: { registerProvider(priority: number, provider: unknown): void },
    private readonly catalog: ServerCatalogService,
  ) {
    // After the BPMN and Camunda providers (priority 500 and default 1000 run first).
    propertiesPanel.registerProvider(200, this);
  }

  getGroups(element: Shape): (groups: Group[]) => Group[] {
    return (input) => {
      const groups = input.filter((g) => !UNSUPPORTED_GROUPS.has(g.id));
      const owner = bo(element);

      if (isAny(owner, SERVICE_LIKE)) {
        // The handler picker replaces Camunda's implementation choices (class, expression, external...).
        const at = groups.findIndex((g) => g.id === 'CamundaPlatform__Implementation');
        const handlerGroup = this.handlerGroup(element);
        if (at >= 0) groups.splice(at, 1, handlerGroup);
        else groups.splice(Math.min(1, groups.length), 0, handlerGroup);
      }

      if (is(owner, 'bpmn:UserTask')) {
        findGroup(groups, 'CamundaPlatform__UserAssignment')?.entries.push({ id: 'itsm-candidate-group-picker', component: CandidateGroupPicker });
        groups.push({
          id: 'itsm-segregation',
          label: 'Segregation of duties',
          entries: [
            { id: 'itsm-exclude-performers', component: ExcludePerformers, isEdited: isTextFieldEntryEdited },
            { id: 'itsm-exclude-users', component: ExcludeUsers, isEdited: isTextFieldEntryEdited },
          ],
        });
      }

      const callGroup = findGroup(groups, 'CamundaPlatform__CallActivity');
      if (callGroup) {
        callGroup.entries = callGroup.entries.filter((e) => !UNSUPPORTED_CALL_ENTRIES.has(e.id));
        callGroup.entries.unshift({ id: 'itsm-called-element-picker', component: CalledElementPicker, isEdited: isSelectEntryEdited });
      }

      findGroup(groups, 'message')?.entries.push({ id: 'itsm-correlation-key', component: CorrelationKey, isEdited: isTextFieldEntryEdited });
      findGroup(groups, 'timer')?.entries.push({ id: 'itsm-business-date', component: BusinessDate, isEdited: isSelectEntryEdited });

      const multi = findGroup(groups, 'multiInstance');
      if (multi) {
        multi.entries.push(
          { id: 'itsm-output-collection', component: OutputCollection, isEdited: isTextFieldEntryEdited },
          { id: 'itsm-output-element', component: OutputElement, isEdited: isTextFieldEntryEdited },
        );
      }

      // Shown where the engine honours it, and where an element carries it anyway (e.g. a task
      // replaced by a gateway keeps its attributes) so that the refused attribute can be cleared.
      if (is(owner, 'bpmn:FlowNode') && (isAny(owner, PAUSING) || text(owner, 'itsm:pauseSla') || text(owner, 'itsm:pauseReason'))) {
        groups.push({
          id: 'itsm-sla-pause',
          label: 'SLA pause',
          entries: [
            { id: 'itsm-pause-sla', component: PauseSla, isEdited: isTextFieldEntryEdited },
            { id: 'itsm-pause-sla-picker', component: PauseSlaPicker },
            { id: 'itsm-pause-reason', component: PauseReason, isEdited: isTextFieldEntryEdited },
          ],
        });
      }

      const record: Entry[] = [];
      if (is(owner, 'bpmn:Process') || (is(owner, 'bpmn:Participant') && owner.get('processRef'))) record.push({ id: 'itsm-record-type', component: RecordType, isEdited: isSelectEntryEdited });
      if (is(owner, 'bpmn:FlowNode')) record.push({ id: 'itsm-record-state', component: RecordState, isEdited: isTextFieldEntryEdited });
      if (record.length) groups.push({ id: 'itsm-record', label: 'Record', entries: record });
      return groups;
    };
  }

  private handlerGroup(element: Shape): Group {
    const name = handlerName(bo(element));
    const handler = this.catalog.catalog.services.find((s) => s.name === name);
    const entries: Entry[] = [{ id: 'itsm-handler', component: HandlerSelect, isEdited: isSelectEntryEdited }];
    for (const input of handler?.inputs ?? []) {
      const key = `${name}\u0000${input.name}`;
      // The same component on every render, else the field would remount (and lose focus) after each edit.
      let component = this.inputComponents.get(key);
      if (!component) {
        component = (props) => h(HandlerInput, { ...props, input });
        this.inputComponents.set(key, component);
      }
      entries.push({
        id: `itsm-handler-input-${input.name}`,
        component,
        isEdited: input.kind === 'calendar' ? isSelectEntryEdited : isTextFieldEntryEdited,
      });
    }
    return { id: 'itsm-service-handler', label: 'Service handler', entries };
  }
}

// ---------------------------------------------------------------------------------------------
// Entries (preact components; hooks come from the properties panel's own preact instance)

function useCatalog() {
  return useService<ServerCatalogService>('itsmCatalog').catalog;
}

function useEditing() {
  return { bpmnFactory: useService<BpmnFactory>('bpmnFactory'), commandStack: useService<CommandStack>('commandStack') };
}

function HandlerSelect({ element, id }: { element: Shape; id: string }) {
  const catalog = useCatalog();
  const { commandStack } = useEditing();
  const current = handlerName(bo(element));
  const handler = catalog.services.find((s) => s.name === current);
  return h(SelectEntry, {
    element,
    id,
    label: 'Handler',
    description: handler?.description ?? 'A handler registered on the server (camunda:delegateExpression="${name}"); SLA clocks start with startSla.',
    getValue: () => handlerName(bo(element)),
    setValue: (value: string) =>
      execute(commandStack, [
        update(element, bo(element), {
          'camunda:delegateExpression': value ? `\${${value}}` : undefined,
          'camunda:class': undefined,
          'camunda:expression': undefined,
          'camunda:resultVariable': undefined,
          'camunda:type': undefined,
          'camunda:topic': undefined,
        }),
      ]),
    getOptions: () => withCurrent(catalog.services.map((s) => ({ value: s.name, label: s.name })), handlerName(bo(element)), '<none>'),
  });
}

function HandlerInput({ element, id, input }: { element: Shape; id: string; input: { name: string; description: string; required?: boolean; kind?: string } }) {
  const catalog = useCatalog();
  const { bpmnFactory, commandStack } = useEditing();
  const label = `${input.name}${input.required ? ' (required)' : ''}`;
  const common = {
    element,
    id,
    label,
    description: input.description,
    getValue: () => inputValue(bo(element), input.name),
    setValue: (value: string | undefined) => setInputValue(element, input.name, (value ?? '').trim(), bpmnFactory, commandStack),
  };
  if (input.kind === 'calendar') {
    return h(SelectEntry, { ...common, getOptions: () => withCurrent(catalog.calendars.map((c) => ({ value: c, label: c })), inputValue(bo(element), input.name), '(default)') });
  }
  return h(TextFieldEntry, { ...common, debounce: useService('debounceInput') });
}

function CandidateGroupPicker({ element, id }: { element: Shape; id: string }) {
  const catalog = useCatalog();
  const { commandStack } = useEditing();
  const current = () =>
    text(bo(element), 'camunda:candidateGroups')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return h(SelectEntry, {
    element,
    id,
    label: 'Add a candidate group',
    description: catalog.groups.length ? 'Groups defined on the server' : 'The server\'s groups could not be listed: type them in "Candidate groups"',
    getValue: () => '',
    setValue: (value: string) => {
      if (!value || current().includes(value)) return;
      execute(commandStack, [update(element, bo(element), { 'camunda:candidateGroups': [...current(), value].join(',') })]);
    },
    getOptions: () => [{ value: '', label: '<choose a group>' }, ...catalog.groups.filter((g) => !current().includes(g)).map((g) => ({ value: g, label: g }))],
  });
}

function textEntry(
  props: { element: Shape; id: string },
  label: string,
  description: string,
  target: (element: Shape) => Bo | undefined,
  property: string,
  commandStack: CommandStack,
  debounce: unknown,
) {
  return h(TextFieldEntry, {
    element: props.element,
    id: props.id,
    label,
    description,
    debounce,
    getValue: () => text(target(props.element), property),
    setValue: (value: string | undefined) => {
      const moddleElement = target(props.element);
      if (moddleElement) execute(commandStack, [update(props.element, moddleElement, { [property]: value?.trim() ? value.trim() : undefined })]);
    },
  });
}

function ExcludePerformers(props: { element: Shape; id: string }) {
  const { commandStack } = useEditing();
  const others = allFlowElements(bo(props.element))
    .filter((e) => is(e, 'bpmn:UserTask') && e.id !== props.element.id)
    .map((e) => e.id);
  return textEntry(
    props,
    'Exclude performers of',
    `Comma-separated user task ids: whoever completed them may not claim or complete this task${others.length ? ` (user tasks: ${others.join(', ')})` : ''}.`,
    bo,
    'itsm:excludePerformersOf',
    commandStack,
    useService('debounceInput'),
  );
}

function ExcludeUsers(props: { element: Shape; id: string }) {
  const { commandStack } = useEditing();
  return textEntry(
    props,
    'Exclude users in variables',
    'Comma-separated variable names holding usernames that may not work on this task; initiator is who started the instance.',
    bo,
    'itsm:excludeUsersIn',
    commandStack,
    useService('debounceInput'),
  );
}

function messageOf(element: Shape): Bo | undefined {
  const owner = bo(element);
  if (is(owner, 'bpmn:ReceiveTask') || is(owner, 'bpmn:SendTask')) return owner.get('messageRef') as Bo | undefined;
  const definition = listOf(owner, 'eventDefinitions').find((d) => is(d, 'bpmn:MessageEventDefinition'));
  return definition?.get('messageRef') as Bo | undefined;
}

function CorrelationKey(props: { element: Shape; id: string }) {
  const { commandStack } = useEditing();
  if (!messageOf(props.element)) return null;
  return textEntry(
    props,
    'Correlation key',
    'Evaluated when the wait starts, e.g. ${recordNumber}; POST /api/messages reaches it only with an equal correlationKey. Shared by every use of this message.',
    messageOf,
    'itsm:correlationKey',
    commandStack,
    useService('debounceInput'),
  );
}

function loopOf(element: Shape): Bo | undefined {
  return bo(element).get('loopCharacteristics') as Bo | undefined;
}

function OutputCollection(props: { element: Shape; id: string }) {
  const { commandStack } = useEditing();
  return textEntry(props, 'Output collection', 'Variable that receives the output element of every completed instance, as a list.', loopOf, 'itsm:outputCollection', commandStack, useService('debounceInput'));
}

function OutputElement(props: { element: Shape; id: string }) {
  const { commandStack } = useEditing();
  return textEntry(props, 'Output element', 'Expression evaluated when an instance completes, e.g. ${approval}.', loopOf, 'itsm:outputElement', commandStack, useService('debounceInput'));
}

function recordOwner(element: Shape): Bo | undefined {
  const owner = bo(element);
  return is(owner, 'bpmn:Participant') ? (owner.get('processRef') as Bo | undefined) : owner;
}

function RecordType({ element, id }: { element: Shape; id: string }) {
  const { commandStack } = useEditing();
  return h(SelectEntry, {
    element,
    id,
    label: 'Record type',
    description: 'Every instance gets a record numbered per type (INC…, REQ…, PRB…, CHG…).',
    getValue: () => text(recordOwner(element), 'itsm:recordType'),
    setValue: (value: string) => {
      const target = recordOwner(element);
      if (target) execute(commandStack, [update(element, target, { 'itsm:recordType': value || undefined })]);
    },
    getOptions: () => withCurrent(RECORD_TYPES.map((t) => ({ value: t, label: t })), text(recordOwner(element), 'itsm:recordType'), '<no record>'),
  });
}

function RecordState(props: { element: Shape; id: string }) {
  const { commandStack } = useEditing();
  return textEntry(props, 'Record state', 'The record takes this state when the element starts (e.g. in progress, resolved).', bo, 'itsm:recordState', commandStack, useService('debounceInput'));
}

function CalledElementPicker({ element, id }: { element: Shape; id: string }) {
  const catalog = useCatalog();
  const { commandStack } = useEditing();
  return h(SelectEntry, {
    element,
    id,
    label: 'Deployed process',
    description: 'Sets the called element to the key of a deployed process.',
    getValue: () => text(bo(element), 'calledElement'),
    setValue: (value: string) => execute(commandStack, [update(element, bo(element), { calledElement: value || undefined })]),
    getOptions: () => withCurrent(catalog.processKeys.map((k) => ({ value: k, label: k })), text(bo(element), 'calledElement'), '<none>'),
  });
}

/**
 * Dates in business time: the engine's timers read plain dates, so a business-calendar deadline is
 * a date variable set by `startSla` (sla.<name>.dueAt and its escalations) or `businessDueDate`
 * (its resultVariable), both computed on a calendar. This lists those of the diagram.
 */
function businessDates(element: Shape): string[] {
  const out = new Set<string>();
  for (const e of allFlowElements(bo(element))) {
    if (!isAny(e, SERVICE_LIKE)) continue;
    const handler = handlerName(e);
    if (handler === 'startSla') {
      const name = inputValue(e, 'name').trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      for (const path of ['dueAt', 'escalations.at50', 'escalations.at75', 'escalations.at100']) out.add(`sla.${name}.${path}`);
    } else if (handler === 'businessDueDate') {
      out.add(inputValue(e, 'resultVariable').trim() || 'dueAt');
    }
  }
  return [...out].sort();
}

function timerOf(element: Shape): Bo | undefined {
  return listOf(bo(element), 'eventDefinitions').find((d) => is(d, 'bpmn:TimerEventDefinition'));
}

function BusinessDate({ element, id }: { element: Shape; id: string }) {
  const { bpmnFactory, commandStack } = useEditing();
  const options = businessDates(element);
  const currentValue = () => {
    const body = text(timerOf(element)?.get('timeDate') as Bo | undefined, 'body');
    return /^\$\{\s*([^}]+?)\s*\}$/.exec(body.trim())?.[1] ?? '';
  };
  return h(SelectEntry, {
    element,
    id,
    label: 'Business-time date',
    description: options.length
      ? 'Fires at a date computed on a business calendar by a startSla or businessDueDate task of this diagram.'
      : 'Add a service task with the startSla or businessDueDate handler to time this on a business calendar.',
    getValue: () => (options.includes(currentValue()) ? currentValue() : ''),
    setValue: (value: string) => {
      const timer = timerOf(element);
      if (!timer || !value) return;
      const timeDate = bpmnFactory.create('bpmn:FormalExpression', { body: `\${${value}}` });
      timeDate.$parent = timer;
      execute(commandStack, [update(element, timer, { timeDate, timeCycle: undefined, timeDuration: undefined })]);
    },
    getOptions: () => [{ value: '', label: '<not a business-time date>' }, ...options.map((o) => ({ value: o, label: o }))],
  });
}

// ---------------------------------------------------------------------------------------------
// SLA pause: itsm:pauseSla / itsm:pauseReason (engine/sla/sla-pause.ts, README "SLA pauses in the diagram")

function clockNames(value: string): string[] {
  return [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))];
}

/** Names of the SLA clocks the startSla tasks of this diagram start (their literal `name` input). */
function startedClocks(element: Shape): string[] {
  const out = new Set<string>();
  for (const e of allFlowElements(bo(element))) {
    if (!isAny(e, SERVICE_LIKE) || handlerName(e) !== 'startSla') continue;
    const name = inputValue(e, 'name').trim();
    if (CLOCK_NAME.test(name)) out.add(name);
  }
  return [...out].sort();
}

/** The deploy rule's refusals of a pauseSla value, as the panel shows them under the field. */
function validateClocks(value: string | undefined): string | null {
  if (!value?.trim()) return null;
  const names = clockNames(value);
  if (!names.length) return 'Name at least one SLA clock, e.g. resolution.';
  const bad = names.filter((n) => !CLOCK_NAME.test(n));
  if (bad.length) return `${bad.map((n) => `"${n}"`).join(', ')}: not an SLA clock name (letters, digits and _, not starting with a digit).`;
  return null;
}

function validateReason(value: string | undefined): string | null {
  return value && value.trim().length > 200 ? 'At most 200 characters.' : null;
}

/** Sets the paused clocks; no clock removes the reason too (a reason alone is refused at deploy). */
function setPausedClocks(element: Shape, value: string, commandStack: CommandStack): void {
  const clocks = value.trim();
  execute(commandStack, [update(element, bo(element), clocks ? { 'itsm:pauseSla': clocks } : { 'itsm:pauseSla': undefined, 'itsm:pauseReason': undefined })]);
}

function PauseSla({ element, id }: { element: Shape; id: string }) {
  const { commandStack } = useEditing();
  const started = startedClocks(element);
  const owner = bo(element);
  const description = !isAny(owner, PAUSING)
    ? `Refused at deploy on a ${owner.$type.replace('bpmn:', '')}: only an activity or an intermediate catch event waits. Clear it.`
    : `Comma-separated SLA clock names (sla.<name>) paused while this element runs, resumed when it is left. ${
        started.length ? `Clocks this diagram starts: ${started.join(', ')}.` : 'No startSla task of this diagram starts a clock; it may come from a calling process.'
      } Empty: no pause.`;
  return h(TextFieldEntry, {
    element,
    id,
    label: 'Paused SLA clocks',
    description,
    debounce: useService('debounceInput'),
    validate: validateClocks,
    getValue: () => text(bo(element), 'itsm:pauseSla'),
    setValue: (value: string | undefined, error?: string | null) => {
      if (!error) setPausedClocks(element, value ?? '', commandStack);
    },
  });
}

/** Adds a clock that a startSla task of this diagram starts; absent when there is none to add. */
function PauseSlaPicker({ element, id }: { element: Shape; id: string }) {
  const { commandStack } = useEditing();
  if (!isAny(bo(element), PAUSING)) return null;
  const current = () => clockNames(text(bo(element), 'itsm:pauseSla'));
  const available = startedClocks(element).filter((n) => !current().includes(n));
  if (!available.length) return null;
  return h(SelectEntry, {
    element,
    id,
    label: 'Add a clock of this diagram',
    description: 'SLA clocks started by a startSla task of this diagram.',
    getValue: () => '',
    setValue: (value: string) => {
      if (value && !current().includes(value)) setPausedClocks(element, [...current(), value].join(','), commandStack);
    },
    getOptions: () => [{ value: '', label: '<choose a clock>' }, ...available.map((n) => ({ value: n, label: n }))],
  });
}

/** The pause reason, offered once a clock is paused (a reason alone is refused at deploy). */
function PauseReason({ element, id }: { element: Shape; id: string }) {
  const { commandStack } = useEditing();
  const debounce = useService('debounceInput');
  if (!text(bo(element), 'itsm:pauseSla') && !text(bo(element), 'itsm:pauseReason')) return null;
  return h(TextFieldEntry, {
    element,
    id,
    label: 'Pause reason',
    description: `Kept with each pause for reporting, e.g. awaiting_caller (empty: the element id, ${element.id}).`,
    debounce,
    validate: validateReason,
    getValue: () => text(bo(element), 'itsm:pauseReason'),
    setValue: (value: string | undefined, error?: string | null) => {
      if (!error) execute(commandStack, [update(element, bo(element), { 'itsm:pauseReason': value?.trim() ? value.trim() : undefined })]);
    },
  });
}
