import type { DefinitionProblem } from '../errors';

/** Limits the raw-text scan enforces before any parser sees the document. */
export interface PrescanLimits {
  /** Deepest element nesting. */
  maxDepth: number;
  /** Most XML elements (diagram elements included). */
  maxElements: number;
}

/**
 * Checks made on the raw text before any parser sees it, in one linear pass:
 * - a DOCTYPE is refused outright (entity expansion and external entities have no place in a
 *   process model, even if today's parser does not resolve them);
 * - the element nesting depth and the number of elements are bounded, because the stages after
 *   parsing (moddle, the serializer, bpmnlint, the engine-load proof) walk the tree recursively
 *   and build objects per element: a 1.8 MB chain of 40,000 elements took 23 s and 1.8 GB before;
 * - characters PostgreSQL cannot store or XML 1.0 forbids (NUL, other C0 controls, a lone UTF-16
 *   surrogate), raw or as a character reference such as `&#0;`, are refused with their position;
 * - an element carrying both a standard loop and a multi-instance marker is refused (the model
 *   allows one `loopCharacteristics`: the parser would silently keep the last one).
 *
 * @returns the first problem found, or null.
 */
export function prescanXml(xml: string, limits: PrescanLimits | number): DefinitionProblem | null {
  const { maxDepth, maxElements } = typeof limits === 'number' ? { maxDepth: limits, maxElements: Number.POSITIVE_INFINITY } : limits;
  // A plain search, not a parse: anything that looks like a DOCTYPE or an entity declaration is
  // enough to refuse, wherever it hides (a scanner that skips comments could be fooled).
  const doctype = /<!(DOCTYPE|ENTITY)/i.exec(xml);
  if (doctype) {
    return {
      rule: 'doctype',
      message: `the document contains <!${doctype[1]}>: document type declarations and entities are not accepted`,
    };
  }
  const character = findForbiddenCharacter(xml);
  if (character) return character;
  return scanElements(xml, maxDepth, maxElements);
}

// eslint-disable-next-line no-control-regex
const FORBIDDEN_RAW = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const CHARACTER_REFERENCE = /&#(x[0-9a-fA-F]+|[0-9]+);/g;

function findForbiddenCharacter(xml: string): DefinitionProblem | null {
  const raw = FORBIDDEN_RAW.exec(xml);
  if (raw) {
    const code = raw[0].charCodeAt(0);
    return forbidden(xml, raw.index, `the character U+${code.toString(16).toUpperCase().padStart(4, '0')}${code === 0 ? ' (NUL)' : ''}`);
  }
  for (const match of xml.matchAll(CHARACTER_REFERENCE)) {
    const digits = match[1] as string;
    const code = digits.startsWith('x') ? parseInt(digits.slice(1), 16) : parseInt(digits, 10);
    const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) return forbidden(xml, match.index, `the character reference ${match[0]}`);
  }
  return null;
}

function forbidden(xml: string, offset: number, what: string): DefinitionProblem {
  return {
    rule: 'xml-forbidden-character',
    message: `${what} at ${position(xml, offset)} is not allowed in XML 1.0 and cannot be stored (NUL, control characters and lone surrogates are refused)`,
  };
}

function position(xml: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = xml.indexOf('\n'); i !== -1 && i < offset; i = xml.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

const LOOP_MARKER = /^(?:[A-Za-z_][\w.-]*:)?(standardLoopCharacteristics|multiInstanceLoopCharacteristics)$/;

interface OpenElement {
  id: string | null;
  name: string;
  loopMarkers: number;
}

/**
 * Counts element nesting and elements with a tolerant scanner (comments, CDATA, processing
 * instructions and quoted attribute values skipped), and the loop markers of each element.
 * Malformed markup is left to the parser to report.
 */
function scanElements(xml: string, maxDepth: number, maxElements: number): DefinitionProblem | null {
  const open: OpenElement[] = [];
  let elements = 0;
  let i = xml.indexOf('<');
  while (i !== -1 && i < xml.length) {
    if (xml.startsWith('<!--', i)) i = skipPast(xml, i + 4, '-->');
    else if (xml.startsWith('<![CDATA[', i)) i = skipPast(xml, i + 9, ']]>');
    else if (xml.startsWith('<?', i)) i = skipPast(xml, i + 2, '?>');
    else if (xml.startsWith('<!', i)) i = skipPast(xml, i + 2, '>');
    else if (xml.startsWith('</', i)) {
      open.pop();
      i = skipPast(xml, i + 2, '>');
    } else {
      const end = endOfTag(xml, i + 1);
      if (end === -1) return null;
      const tag = xml.slice(i + 1, end);
      const name = /^[^\s/>]+/.exec(tag)?.[0] ?? '';
      if (++elements > maxElements) {
        return { rule: 'too-many-elements', message: `the document has more than ${maxElements} XML elements (the limit; at ${position(xml, i)})` };
      }
      const parent = open[open.length - 1];
      if (parent && LOOP_MARKER.test(name) && ++parent.loopMarkers > 1) {
        return {
          ...(parent.id ? { elementId: parent.id } : {}),
          rule: 'loop-markers',
          message: `the ${parent.name} carries more than one loop marker (standard loop and multi-instance, or two of either): an activity has at most one loopCharacteristics`,
        };
      }
      if (xml[end - 1] !== '/') {
        open.push({ id: /\sid\s*=\s*["']([^"']*)["']/.exec(tag)?.[1] ?? null, name: name.replace(/^[^:]*:/, ''), loopMarkers: 0 });
        if (open.length > maxDepth) return { rule: 'xml-depth', message: `elements are nested deeper than ${maxDepth} levels (at offset ${i})` };
      }
      i = end + 1;
    }
    if (i === -1) return null;
    i = xml.indexOf('<', i);
  }
  return null;
}

function skipPast(xml: string, from: number, terminator: string): number {
  const at = xml.indexOf(terminator, from);
  return at === -1 ? -1 : at + terminator.length;
}

/** Index of the `>` closing a start tag, honouring quoted attribute values. */
function endOfTag(xml: string, from: number): number {
  let quote: string | null = null;
  for (let i = from; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}
