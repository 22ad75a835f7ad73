declare module 'dmn-js/lib/Modeler' {
  export default class DmnModeler {
    constructor(options: { container: HTMLElement; common?: Record<string, unknown> });
    importXML(xml: string): Promise<{ warnings: unknown[] }>;
    saveXML(options?: { format?: boolean }): Promise<{ xml: string }>;
    getViews(): { type: string; element: { id: string } }[];
    open(view: { type: string; element: { id: string } }): Promise<unknown>;
    destroy(): void;
  }
}
declare module 'dmn-js/dist/assets/*.css';
