// The bpmn.io add-ons ship no type declarations; these are the parts this app uses.

declare module 'bpmn-js-properties-panel' {
  type Module = Record<string, unknown>;
  export const BpmnPropertiesPanelModule: Module;
  export const BpmnPropertiesProviderModule: Module;
  export const CamundaPlatformPropertiesProviderModule: Module;
  export function useService<T = unknown>(name: string): T;
}

declare module '@bpmn-io/properties-panel' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Component = (props: any) => any;
  export const SelectEntry: Component;
  export const TextFieldEntry: Component;
  export const TextAreaEntry: Component;
  export function isSelectEntryEdited(node: unknown): boolean;
  export function isTextFieldEntryEdited(node: unknown): boolean;
}

declare module 'camunda-bpmn-js-behaviors/lib/camunda-platform' {
  const module: Record<string, unknown>;
  export default module;
}

declare module 'diagram-js-minimap' {
  const module: Record<string, unknown>;
  export default module;
}

declare module 'bpmn-auto-layout' {
  export function layoutProcess(xml: string): Promise<string>;
}
