declare module 'dmn-moddle' {
  /** dmn-moddle 12 (ESM-only, untyped): only what engine/decisions/parse.ts uses. */
  export class DmnModdle {
    constructor(packages?: Record<string, object>);
    fromXML(xml: string, typeName?: string): Promise<{ rootElement: unknown; warnings: { message: string }[] }>;
  }
}
