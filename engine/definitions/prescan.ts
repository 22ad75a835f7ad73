import type { DefinitionProblem } from '../errors';

/**
 * Checks made on the raw text before any parser sees it. A DOCTYPE is refused outright (entity
 * expansion and external entities have no place in a process model, even if today's parser does
 * not resolve them), and the element nesting depth is bounded because the validation stages after
 * parsing (moddle, the serializer, bpmnlint) walk the tree recursively.
 *
 * @returns the first problem found, or null.
 */
export function prescanXml(xml: string, maxDepth: number): DefinitionProblem | null {
  // A plain search, not a parse: anything that looks like a DOCTYPE or an entity declaration is
  // enough to refuse, wherever it hides (a scanner that skips comments could be fooled).
  const doctype = /<!(DOCTYPE|ENTITY)/i.exec(xml);
  if (doctype) {
    return {
      rule: 'doctype',
      message: `the document contains <!${doctype[1]}>: document type declarations and entities are not accepted`,
    };
  }
  const depth = findExcessiveDepth(xml, maxDepth);
  return depth === null
    ? null
    : { rule: 'xml-depth', message: `elements are nested deeper than ${maxDepth} levels (at offset ${depth})` };
}

/**
 * Counts element nesting with a tolerant scanner (comments, CDATA, processing instructions and
 * quoted attribute values skipped). Malformed markup is left to the parser to report.
 *
 * @returns the text offset where the limit is exceeded, or null.
 */
function findExcessiveDepth(xml: string, maxDepth: number): number | null {
  let depth = 0;
  let i = xml.indexOf('<');
  while (i !== -1 && i < xml.length) {
    if (xml.startsWith('<!--', i)) i = skipPast(xml, i + 4, '-->');
    else if (xml.startsWith('<![CDATA[', i)) i = skipPast(xml, i + 9, ']]>');
    else if (xml.startsWith('<?', i)) i = skipPast(xml, i + 2, '?>');
    else if (xml.startsWith('<!', i)) i = skipPast(xml, i + 2, '>');
    else if (xml.startsWith('</', i)) {
      depth = Math.max(0, depth - 1);
      i = skipPast(xml, i + 2, '>');
    } else {
      const end = endOfTag(xml, i + 1);
      if (end === -1) return null;
      if (xml[end - 1] !== '/') {
        depth++;
        if (depth > maxDepth) return i;
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
