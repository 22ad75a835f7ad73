import { is, list, one, text, type ModdleElement } from './model';
import type { ExpressionChecker } from './expression-rules';
import type { RuleContext } from './rule-context';

/** A deployed key as calledElement names it literally. */
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const BINDINGS = new Set(['latest', 'version', 'versionTag']);

/**
 * Call activities start the deployed process `calledElement` as a child instance (engine/calls).
 * Refused: no calledElement, an unsupported binding or attribute, malformed `camunda:in`/`out`,
 * and multi-instance call activities. A key that is not deployed yet is a deploy-time warning.
 */
export function checkCallActivities(context: RuleContext, checkExpression: ExpressionChecker): void {
  for (const element of context.elements) {
    if (is(element, 'bpmn:CallActivity')) checkCallActivity(context, element, checkExpression);
  }
}

function checkCallActivity(context: RuleContext, element: ModdleElement, checkExpression: ExpressionChecker): void {
  const refuse = (message: string) => context.sink.refuse('call-activity', message, element.id);
  const isExpression = (value: string) => value.includes('${') || value.trim().startsWith('=');
  const checkText = (what: string, value: string) => {
    if (!isExpression(value)) return;
    const problem = checkExpression(value.trim());
    if (problem) refuse(`${what} "${value}": ${problem}`);
  };

  const called = (text(element, 'calledElement') ?? '').trim();
  if (!called) refuse('a call activity needs calledElement: the key of the process to start');
  else if (isExpression(called)) checkText('calledElement', called);
  else if (!KEY.test(called)) refuse(`calledElement "${called}" is not a process key`);

  const binding = text(element, 'camunda:calledElementBinding') ?? 'latest';
  if (binding === 'deployment') {
    refuse('camunda:calledElementBinding="deployment" is not supported: every file is its own deployment here; use "latest", "version" or "versionTag"');
  } else if (!BINDINGS.has(binding)) {
    refuse(`camunda:calledElementBinding="${binding}" is not supported; use "latest", "version" or "versionTag"`);
  }
  const version = text(element, 'camunda:calledElementVersion');
  if (binding === 'version' && !/^[1-9][0-9]*$/.test((version ?? '').trim())) {
    refuse(`camunda:calledElementBinding="version" needs camunda:calledElementVersion with a version number (found ${version === undefined ? 'none' : `"${version}"`}; expressions are not supported)`);
  }
  if (binding === 'versionTag' && !(text(element, 'camunda:calledElementVersionTag') ?? '').trim()) {
    refuse('camunda:calledElementBinding="versionTag" needs camunda:calledElementVersionTag');
  }
  for (const attribute of ['camunda:caseRef', 'camunda:variableMappingClass', 'camunda:variableMappingDelegateExpression']) {
    if (text(element, attribute)) refuse(`${attribute} is not supported (no CMMN cases, no Java delegates); map variables with camunda:in and camunda:out`);
  }
  if (text(element, 'camunda:calledElementTenantId')) {
    context.sink.warn('call-activity', 'camunda:calledElementTenantId is ignored: this server has one tenant', element.id);
  }
  if (one(element, 'loopCharacteristics')) refuse('multi-instance and loop call activities are not supported');

  const values = list(one(element, 'extensionElements') ?? element, 'values');
  for (const mapping of values) {
    const isIn = is(mapping, 'camunda:In');
    if (!isIn && !is(mapping, 'camunda:Out')) continue;
    const tag = isIn ? 'camunda:in' : 'camunda:out';
    const source = text(mapping, 'source');
    const sourceExpression = text(mapping, 'sourceExpression');
    const target = text(mapping, 'target');
    const variables = text(mapping, 'variables');
    const businessKey = text(mapping, 'businessKey');
    if (mapping.get('local') === true) refuse(`${tag} local="true" is not supported`);
    if (variables !== undefined && variables !== 'all') refuse(`${tag} variables="${variables}" is not supported; use variables="all"`);
    if (businessKey !== undefined) {
      if (!isIn) refuse('camunda:out cannot set a business key');
      else if (!businessKey.trim()) refuse('camunda:in businessKey is empty');
      else checkText('camunda:in businessKey', businessKey);
    }
    if (source !== undefined && sourceExpression !== undefined) refuse(`${tag} has both source and sourceExpression`);
    if ((source !== undefined || sourceExpression !== undefined) && !(target ?? '').trim()) refuse(`${tag} needs a target for its ${source !== undefined ? 'source' : 'sourceExpression'}`);
    if (target !== undefined && source === undefined && sourceExpression === undefined) refuse(`${tag} target="${target}" needs a source or sourceExpression`);
    if (sourceExpression !== undefined) {
      const problem = checkExpression(sourceExpression.trim());
      if (problem) refuse(`${tag} sourceExpression "${sourceExpression}": ${problem}`);
    }
    if (source === undefined && sourceExpression === undefined && variables === undefined && businessKey === undefined) {
      refuse(`${tag} maps nothing: give source or sourceExpression with target, variables="all"${isIn ? ', or businessKey' : ''}`);
    }
  }
}
