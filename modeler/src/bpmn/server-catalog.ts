import { request, type DefinitionProblem } from '../api/client';
import { hasRole } from '../auth/session';

/** One service handler the server runs (GET /api/services). */
export interface ServiceHandlerInfo {
  name: string;
  description: string;
  inputs: { name: string; description: string; required?: boolean; kind?: 'calendar' }[];
}

/** What the properties panel offers as choices: the server's handlers, groups and business calendars. */
export interface ServerCatalog {
  services: ServiceHandlerInfo[];
  groups: string[];
  calendars: string[];
  /** Keys of the deployed process definitions (call activity targets). */
  processKeys: string[];
}

/** The answer of POST /api/definitions/validate: the deploy checks, run without deploying. */
export interface ValidationResult {
  valid: boolean;
  problems: DefinitionProblem[];
  warnings: DefinitionProblem[];
}

async function listOrEmpty<T>(path: string): Promise<T[]> {
  try {
    const { body } = await request<T[]>(path);
    return Array.isArray(body) ? body : [];
  } catch {
    // e.g. 403 for a role that may not list it: the panel then offers free text only
    return [];
  }
}

/** Loads the catalog once per modeler; each list is empty when the caller may not read it. */
export async function loadServerCatalog(): Promise<ServerCatalog> {
  const [services, groups, calendars, definitions] = await Promise.all([
    listOrEmpty<ServiceHandlerInfo>('/api/services'),
    // Only administrators and process owners may list groups (others would get a 403).
    hasRole('admin', 'process-owner') ? listOrEmpty<{ name: string }>('/api/groups') : Promise.resolve([]),
    listOrEmpty<{ name: string }>('/api/calendars'),
    listOrEmpty<{ key: string }>('/api/definitions'),
  ]);
  const byName = (a: string, b: string) => a.localeCompare(b);
  return {
    services,
    processKeys: [...new Set(definitions.map((d) => d.key))].sort(byName),
    groups: groups.map((g) => g.name).sort(byName),
    calendars: calendars.map((c) => c.name).sort(byName),
  };
}

/** Runs the server's deploy validation on a document without deploying it. */
export async function validateOnServer(xml: string): Promise<ValidationResult> {
  const { body } = await request<ValidationResult>('/api/definitions/validate', { method: 'POST', body: xml, contentType: 'application/xml' });
  return body;
}
