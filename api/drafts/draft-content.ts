import { createHash } from 'node:crypto';
import { UnprocessableEntityException } from '@nestjs/common';
import BpmnModdle from 'bpmn-moddle';
import { z } from 'zod';

/** Most forms and decision files one draft holds (a deployment's own limit is checked at deploy). */
export const MAX_DRAFT_FORMS = 100;
export const MAX_DRAFT_DECISIONS = 20;
const MAX_FILE_CHARS = 1024 * 1024;
const MAX_DEPTH = 64;

const FileName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^/\\\0]+$/, 'must be a plain file name (no slashes)');
const FormFile = z.object({ name: FileName.refine((n) => /\.(form|json)$/i.test(n), 'must end in .form or .json'), content: z.string().min(2).max(MAX_FILE_CHARS) }).strict();
const DecisionFile = z.object({ name: FileName.refine((n) => /\.dmn$/i.test(n), 'must end in .dmn'), content: z.string().min(1).max(MAX_FILE_CHARS) }).strict();

/** What a save sends: the diagram, its forms (form-js JSON) and decision tables (DMN XML). */
export const DraftContentShape = {
  bpmn: z.string().min(1, 'the BPMN document is empty'),
  forms: z.array(FormFile).max(MAX_DRAFT_FORMS).default([]),
  decisions: z.array(DecisionFile).max(MAX_DRAFT_DECISIONS).default([]),
  comment: z.string().trim().min(1, 'say what changed').max(2000),
};

export interface DraftFile {
  name: string;
  content: string;
}

export interface DraftContent {
  bpmn: string;
  forms: DraftFile[];
  decisions: DraftFile[];
}

/**
 * Checks what a draft may hold without validating it for deployment (a draft may be unfinished):
 * the BPMN must parse and name one process (its id is the draft's key), every form must be a JSON
 * object with an `id`, every decision file DMN XML; file names and form ids are unique.
 * @throws UnprocessableEntityException naming the file and what is wrong
 */
export async function readDraftContent(content: DraftContent, maxBpmnBytes: number): Promise<{ key: string; name: string | null; sha256: string }> {
  const size = Buffer.byteLength(content.bpmn, 'utf8');
  if (size > maxBpmnBytes) throw new UnprocessableEntityException(`the BPMN document is ${size} bytes; the limit is ${maxBpmnBytes} bytes`);
  const names = new Set<string>();
  const formIds = new Set<string>();
  for (const file of content.forms) {
    if (names.has(file.name.toLowerCase())) throw new UnprocessableEntityException(`two files are named "${file.name}"`);
    names.add(file.name.toLowerCase());
    let parsed: unknown;
    try {
      parsed = JSON.parse(file.content);
    } catch {
      throw new UnprocessableEntityException(`form file "${file.name}" is not valid JSON`);
    }
    const id = (parsed as { id?: unknown } | null)?.id;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || typeof id !== 'string' || !id.trim()) {
      throw new UnprocessableEntityException(`form file "${file.name}" must be a form-js schema: a JSON object with a string "id"`);
    }
    if (formIds.has(id)) throw new UnprocessableEntityException(`form file "${file.name}": the form id "${id}" is used by two files`);
    formIds.add(id);
  }
  for (const file of content.decisions) {
    if (names.has(file.name.toLowerCase())) throw new UnprocessableEntityException(`two files are named "${file.name}"`);
    names.add(file.name.toLowerCase());
    if (!/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.-]*:)?definitions\b/.test(stripBom(file.content)) || !/https?:\/\/www\.omg\.org\/spec\/DMN\//.test(file.content.slice(0, 4096))) {
      throw new UnprocessableEntityException(`decision file "${file.name}" is not a DMN document (<definitions> in the DMN namespace)`);
    }
  }
  const { key, name } = await processOf(content.bpmn);
  return { key, name, sha256: contentHash(content) };
}

/** One hash over the whole content, to tell identical saves apart. */
export function contentHash(content: DraftContent): string {
  const h = createHash('sha256').update(`bpmn\n${content.bpmn}\n`);
  for (const f of [...content.forms].sort(byName)) h.update(`form ${f.name}\n${f.content}\n`);
  for (const f of [...content.decisions].sort(byName)) h.update(`dmn ${f.name}\n${f.content}\n`);
  return h.digest('hex');
}

const byName = (a: DraftFile, b: DraftFile) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function stripBom(text: string): string {
  return text.replace(/^\uFEFF/, '');
}

interface ParsedRoot {
  $type: string;
  id?: string;
  name?: string;
  isExecutable?: boolean;
}

/** The executable process of a BPMN document (or its only process): the key the draft deploys as. */
async function processOf(bpmn: string): Promise<{ key: string; name: string | null }> {
  const xml = stripBom(bpmn);
  if (tooDeep(xml)) throw new UnprocessableEntityException(`the BPMN document nests elements deeper than ${MAX_DEPTH} levels`);
  if (/<!DOCTYPE/i.test(xml)) throw new UnprocessableEntityException('the BPMN document has a DOCTYPE (document type declarations are refused)');
  let roots: ParsedRoot[];
  try {
    const { rootElement } = (await new BpmnModdle().fromXML(xml)) as { rootElement?: { $type?: string; rootElements?: ParsedRoot[] } };
    if (rootElement?.$type !== 'bpmn:Definitions') throw new Error('the root element is not bpmn:definitions');
    roots = rootElement.rootElements ?? [];
  } catch (error) {
    throw new UnprocessableEntityException(`the BPMN document could not be read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const processes = roots.filter((r) => r.$type === 'bpmn:Process');
  const executable = processes.filter((p) => p.isExecutable);
  const chosen = executable.length === 1 ? executable[0] : executable.length === 0 && processes.length === 1 ? processes[0] : undefined;
  if (!chosen?.id) {
    throw new UnprocessableEntityException(
      executable.length > 1 ? 'the BPMN document has several executable processes; a draft holds one' : 'the BPMN document has no process with an id',
    );
  }
  return { key: chosen.id, name: chosen.name?.trim() || null };
}

/** Cheap nesting check before the recursive parser sees the document. */
function tooDeep(xml: string): boolean {
  let depth = 0;
  const tag = /<(\/?)[A-Za-z_][^>]*?(\/?)>/g;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    if (m[1]) depth--;
    else if (!m[2]) {
      depth++;
      if (depth > MAX_DEPTH) return true;
    }
  }
  return false;
}
