import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'diagram-js-minimap/assets/diagram-js-minimap.css';
import './modeler.css';
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule } from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import minimapModule from 'diagram-js-minimap';
// The same descriptor the server parses with: segregation of duties, record type and state,
// correlation keys, multi-instance output (processes/moddle/itsm.json).
import itsmModdle from '../../../processes/moddle/itsm.json';
import { enableAutoLayout } from './features/auto-layout/auto-layout';
import engineScope from './features/engine-scope';
import liveLint from './features/lint';
import type LiveLint from './features/lint/LiveLint';
import type { LintSnapshot, LiveLintConfig } from './features/lint/LiveLint';
import problemMarkers from './features/problem-markers';
import type ProblemMarkers from './features/problem-markers/ProblemMarkers';
import itsmProperties from './features/properties';
import type { CatalogConfig } from './features/properties/ServerCatalogService';

export { wasLaidOut } from './features/auto-layout/auto-layout';
// The viewer lives in create-viewer.ts (import it from there: this module loads the whole modeler).
export type { LintSnapshot } from './features/lint/LiveLint';

/** The engine parses with the same descriptor: without it `camunda:*` attributes are dropped. */
const moddleExtensions = { camunda: camundaModdle, itsm: itsmModdle };

export interface ModelerOptions {
  /** Where the properties panel goes; without it there is no panel. */
  propertiesParent?: HTMLElement;
  /** Where the live lint list goes; default: floating over the canvas's bottom-left corner. */
  lintList?: HTMLElement;
  /** Live lint settings (tests pass their own `validate`); `false` turns live lint off. */
  lint?: Omit<LiveLintConfig, 'list'> | false;
  /** Where the panel's choices (handlers, groups, calendars, process keys) come from. */
  catalog?: CatalogConfig;
  /** Show the minimap (default true). */
  minimap?: boolean;
}

/**
 * The process modeler: bpmn-js with the properties panel for what the engine runs, a replace menu
 * without what the server refuses, live lint with the server's deploy rules, a minimap, and
 * automatic layout of documents without diagram layout. One modeler per view; the view calls
 * `destroy()` when it is left.
 */
export function createModeler(container: HTMLElement, options: ModelerOptions = {}): Modeler {
  const additionalModules: unknown[] = [problemMarkers, engineScope, CamundaBehaviorsModule];
  if (options.propertiesParent) additionalModules.push(BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule, itsmProperties);
  if (options.lint !== false) additionalModules.push(liveLint);
  if (options.minimap !== false) additionalModules.push(minimapModule);
  const modeler = new Modeler({
    container,
    moddleExtensions,
    additionalModules,
    ...(options.propertiesParent ? { propertiesPanel: { parent: options.propertiesParent } } : {}),
    itsmLint: { ...(options.lint || {}), list: options.lintList },
    itsmCatalog: options.catalog ?? {},
    minimap: { open: false },
  } as ConstructorParameters<typeof Modeler>[0]);
  enableAutoLayout(modeler);
  return modeler;
}

export function problemMarkersOf(modeler: Modeler): ProblemMarkers {
  return modeler.get<ProblemMarkers>('problemMarkers');
}

/** The live lint's last findings (empty and `pending` before the first check, or with live lint off). */
export function lintProblemsOf(modeler: Modeler): LintSnapshot {
  const lint = modeler.get<LiveLint | null>('liveLint', false);
  return lint ? lint.current() : { state: 'pending', problems: [], warnings: [] };
}

/** Runs the live lint now (e.g. before saving a draft) and answers its findings. */
export function lintNow(modeler: Modeler): Promise<LintSnapshot> {
  const lint = modeler.get<LiveLint | null>('liveLint', false);
  return lint ? lint.checkNow() : Promise.resolve({ state: 'unavailable', problems: [], warnings: [], reason: 'live lint is off' });
}

