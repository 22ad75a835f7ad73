/**
 * Turns uploaded bytes into the XML text we parse. Declared encodings lie in both directions in
 * real exports (a file says ISO-8859-1 but holds UTF-8, or says UTF-8 and holds Latin-1), so the
 * bytes decide: strict UTF-8 first, and a single-byte fallback only when that fails.
 */
export function decodeBpmnBytes(bytes: Uint8Array): string {
  // A UTF-16 byte-order mark is unambiguous; without this branch such a file would decode as
  // Latin-1 garbage and fail as "malformed XML" with a useless message.
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);

  try {
    // `fatal` makes invalid sequences throw; the default `ignoreBOM: false` strips a UTF-8 BOM.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const latin1 = decodeLatin1(bytes);
    return declaresWindows1252(latin1) ? toWindows1252(latin1) : latin1;
  }
}

/** Removes a leading byte-order mark from text that was decoded elsewhere. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** UTF-8 size of a string, without allocating a copy. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * ISO-8859-1 maps every byte to the code point of the same value. (WHATWG TextDecoder has no true
 * Latin-1: its "latin1"/"iso-8859-1" labels mean windows-1252.)
 */
function decodeLatin1(bytes: Uint8Array): string {
  let text = '';
  const chunk = 0x2000;
  for (let i = 0; i < bytes.length; i += chunk) {
    text += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return text;
}

/** Only windows-1252 differs from Latin-1 in a way worth honouring (0x80-0x9F: quotes, euro sign). */
function declaresWindows1252(text: string): boolean {
  const match = /^\s*<\?xml[^>]*\sencoding\s*=\s*["']([^"']+)["']/i.exec(text.slice(0, 200));
  return !!match && /^(windows-1252|cp1252)$/i.test(match[1] as string);
}

/**
 * windows-1252 = Latin-1 except 0x80-0x9F. Done by hand because Node 20's
 * `TextDecoder('windows-1252')` decodes those bytes as Latin-1 C1 controls.
 * The five undefined positions keep their Latin-1 (C1) meaning.
 */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function toWindows1252(latin1: string): string {
  return latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] as string);
}
