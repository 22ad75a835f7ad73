import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DeploymentFile } from '../../engine';

/** One deployment of the catalogue: the BPMN file(s) of a folder, deployed in order. */
export interface CatalogueDeployment {
  folder: string;
  bpmn: string[];
  /** Top-level process keys the demo data set starts. */
  demo?: string[];
}

export interface Catalogue {
  deployments: CatalogueDeployment[];
  groups: { name: string; description: string }[];
  /** Demo user → groups (embedded default only). */
  demoMembers: Record<string, string[]>;
  /** Process key → extra start variables of the demo data set. */
  demoVariables: Record<string, Record<string, unknown>>;
}

/** A BPMN document ready for `orchestrator.deploy`, with the forms it references and its folder's decisions. */
export interface CatalogueDocument {
  folder: string;
  file: string;
  xml: string;
  forms: DeploymentFile[];
  decisions: DeploymentFile[];
  /** form id → form-js schema (all forms of the folder). */
  schemas: Map<string, FormSchema>;
}

export interface FormSchema {
  id: string;
  components?: FormComponent[];
}
export interface FormComponent {
  type: string;
  key?: string;
  values?: { value: unknown }[];
  validate?: { required?: boolean; min?: number; max?: number; pattern?: string; minLength?: number; maxLength?: number };
  components?: FormComponent[];
}

/** The shipped `processes/` directory (from the source tree or the compiled `dist/`). */
export function defaultProcessesDir(): string {
  for (const candidate of [resolve(__dirname, '../../processes'), resolve(__dirname, '../../../processes'), resolve(process.cwd(), 'processes')]) {
    if (existsSync(join(candidate, 'catalogue.json'))) return candidate;
  }
  return resolve(process.cwd(), 'processes');
}

export function readCatalogue(dir: string): Catalogue {
  const raw = JSON.parse(readFileSync(join(dir, 'catalogue.json'), 'utf8')) as Partial<Catalogue>;
  return { deployments: raw.deployments ?? [], groups: raw.groups ?? [], demoMembers: raw.demoMembers ?? {}, demoVariables: raw.demoVariables ?? {} };
}

function filesIn(dir: string, ext: string): DeploymentFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((name) => ({ name, content: readFileSync(join(dir, name), 'utf8') }));
}

/** Every BPMN document of the catalogue in deployment order. */
export function catalogueDocuments(dir: string, catalogue: Catalogue): CatalogueDocument[] {
  const out: CatalogueDocument[] = [];
  for (const entry of catalogue.deployments) {
    const folder = join(dir, entry.folder);
    const formFiles = filesIn(join(folder, 'forms'), '.form');
    const schemas = new Map<string, FormSchema>();
    const formById = new Map<string, DeploymentFile>();
    for (const f of formFiles) {
      const schema = JSON.parse(String(f.content)) as FormSchema;
      schemas.set(schema.id, schema);
      formById.set(schema.id, f);
    }
    const decisions = filesIn(join(folder, 'decisions'), '.dmn');
    for (const file of entry.bpmn) {
      const xml = readFileSync(join(folder, file), 'utf8');
      const referenced = new Set([...xml.matchAll(/camunda:form(?:Ref|Key)="([^"]+)"/g)].map((m) => m[1]));
      const forms = [...formById.entries()].filter(([id]) => referenced.has(id)).map(([, f]) => f);
      const usesDecisions = /camunda:decisionRef=/.test(xml);
      out.push({ folder: entry.folder, file, xml, forms, decisions: usesDecisions ? decisions : [], schemas });
    }
  }
  return out;
}
