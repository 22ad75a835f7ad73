declare module 'bpmn-js-differ' {
  interface ModdleElement {
    $type: string;
    id?: string;
    name?: string;
  }
  export interface DiffResult {
    _added: Record<string, ModdleElement>;
    _removed: Record<string, ModdleElement>;
    _changed: Record<string, { model: ModdleElement; attrs: Record<string, { oldValue: unknown; newValue: unknown }> }>;
    _layoutChanged: Record<string, ModdleElement>;
  }
  export function diff(a: unknown, b: unknown): DiffResult;
}
