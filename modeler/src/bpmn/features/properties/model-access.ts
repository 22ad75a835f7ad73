import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

/** A moddle element as the properties panel sees it (bpmn-js types it loosely too). */
export interface Bo {
  $type: string;
  $parent?: Bo;
  id?: string;
  name?: string;
  get(name: string): unknown;
}

export interface Shape {
  id: string;
  businessObject: Bo;
}

export interface BpmnFactory {
  create(type: string, attrs?: Record<string, unknown>): Bo;
}

export interface CommandStack {
  execute(command: string, context: unknown): void;
}

interface Command {
  cmd: 'element.updateModdleProperties';
  context: { element: Shape; moddleElement: Bo; properties: Record<string, unknown> };
}

export function bo(element: Shape): Bo {
  return getBusinessObject(element) as unknown as Bo;
}

export function update(element: Shape, moddleElement: Bo, properties: Record<string, unknown>): Command {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

/** Runs several updates as one undoable step (the properties panel's own multi-command handler). */
export function execute(commandStack: CommandStack, commands: Command[]): void {
  if (commands.length) commandStack.execute('properties-panel.multi-command-executor', commands);
}

export function text(element: Bo | undefined, name: string): string {
  const value = element?.get(name);
  return typeof value === 'string' ? value : '';
}

export function listOf(element: Bo | undefined, name: string): Bo[] {
  const value = element?.get(name);
  return Array.isArray(value) ? (value as Bo[]) : [];
}

/** The handler a service task names with `camunda:delegateExpression="${name}"`, or ''. */
export function handlerName(task: Bo): string {
  const match = /^\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$/.exec(text(task, 'camunda:delegateExpression').trim());
  return match?.[1] ?? '';
}

export function inputOutput(element: Bo): Bo | undefined {
  return listOf(element.get('extensionElements') as Bo | undefined, 'values').find((v) => is(v, 'camunda:InputOutput'));
}

/** The text value of the input parameter `name` of `camunda:inputOutput`, or ''. */
export function inputValue(element: Bo, name: string): string {
  const parameter = listOf(inputOutput(element), 'inputParameters').find((p) => p.get('name') === name);
  return parameter ? text(parameter, 'value') : '';
}

/** Sets (or, with '', removes) one text input parameter, creating the extension elements on demand. */
export function setInputValue(element: Shape, name: string, value: string, bpmnFactory: BpmnFactory, commandStack: CommandStack): void {
  const owner = bo(element);
  const commands: Command[] = [];
  let extension = owner.get('extensionElements') as Bo | undefined;
  if (!extension) {
    if (!value) return;
    extension = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extension.$parent = owner;
    commands.push(update(element, owner, { extensionElements: extension }));
  }
  let io = inputOutput(owner);
  if (!io) {
    if (!value) return;
    io = bpmnFactory.create('camunda:InputOutput', { inputParameters: [], outputParameters: [] });
    io.$parent = extension;
    commands.push(update(element, extension, { values: [...listOf(extension, 'values'), io] }));
  }
  const parameters = listOf(io, 'inputParameters');
  const existing = parameters.find((p) => p.get('name') === name);
  if (!value) {
    if (existing) commands.push(update(element, io, { inputParameters: parameters.filter((p) => p !== existing) }));
  } else if (existing) {
    commands.push(update(element, existing, { value, definition: undefined }));
  } else {
    const parameter = bpmnFactory.create('camunda:InputParameter', { name, value });
    parameter.$parent = io;
    commands.push(update(element, io, { inputParameters: [...parameters, parameter] }));
  }
  execute(commandStack, commands);
}

/** Every flow element of the diagram's processes and sub-processes. */
export function allFlowElements(root: Bo | undefined): Bo[] {
  const definitions = (() => {
    let current = root;
    while (current?.$parent) current = current.$parent;
    return current;
  })();
  const out: Bo[] = [];
  const visit = (container: Bo): void => {
    for (const element of listOf(container, 'flowElements')) {
      out.push(element);
      if (is(element, 'bpmn:SubProcess')) visit(element);
    }
  };
  for (const rootElement of listOf(definitions, 'rootElements')) if (is(rootElement, 'bpmn:Process')) visit(rootElement);
  return out;
}
