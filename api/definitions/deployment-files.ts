import { EngineError, EngineErrorCode, type DeploymentFile } from '../../engine';

/** Most files in one multipart deployment (forms and decisions; plus the one BPMN). */
export const MAX_DEPLOYMENT_FILES = 100;

export interface DeploymentParts {
  bpmn: Express.Multer.File | undefined;
  forms: DeploymentFile[];
  decisions: DeploymentFile[];
}

type Kind = 'bpmn' | 'form' | 'dmn';

/**
 * Sorts the parts of a multipart deployment (field names do not matter):
 *  - by file name: `.bpmn` (also `.bpmn20.xml`) is the process, `.form` (or `.json`) a form-js
 *    schema, `.dmn` a decision table file;
 *  - any other name by content: a JSON object is a form, XML with the DMN namespace a decision
 *    file, other XML the process.
 * Exactly one process file is required.
 * @throws EngineError INVALID_REQUEST
 */
export function splitDeployment(files: Express.Multer.File[]): DeploymentParts {
  if (files.length > MAX_DEPLOYMENT_FILES + 1) throw new EngineError(EngineErrorCode.InvalidRequest, `a deployment holds at most ${MAX_DEPLOYMENT_FILES + 1} files`);
  const parts: DeploymentParts = { bpmn: undefined, forms: [], decisions: [] };
  const bpmn: Express.Multer.File[] = [];
  for (const file of files) {
    const kind = kindOf(file);
    if (kind === 'bpmn') bpmn.push(file);
    else if (kind === 'form') parts.forms.push({ name: file.originalname || file.fieldname, content: file.buffer });
    else if (kind === 'dmn') parts.decisions.push({ name: file.originalname || file.fieldname, content: file.buffer });
    else throw new EngineError(EngineErrorCode.InvalidRequest, `the part "${file.originalname || file.fieldname}" is neither a .bpmn, a .form nor a .dmn file`);
  }
  if (bpmn.length !== 1) {
    throw new EngineError(
      EngineErrorCode.InvalidRequest,
      bpmn.length ? `a deployment holds exactly one BPMN file; this one has ${bpmn.length} (${bpmn.map((f) => f.originalname || f.fieldname).join(', ')})` : 'the deployment has no BPMN file (.bpmn)',
    );
  }
  parts.bpmn = bpmn[0];
  return parts;
}

function kindOf(file: Express.Multer.File): Kind | null {
  const name = (file.originalname ?? '').toLowerCase();
  if (name.endsWith('.bpmn') || name.endsWith('.bpmn20.xml')) return 'bpmn';
  if (name.endsWith('.form') || name.endsWith('.json')) return 'form';
  if (name.endsWith('.dmn')) return 'dmn';
  const head = file.buffer.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('{')) return 'form';
  if (head.startsWith('<')) return /https?:\/\/www\.omg\.org\/spec\/DMN\//.test(head) ? 'dmn' : 'bpmn';
  return null;
}
