import { decodeBpmnBytes } from './decode';

const PROLOG_UTF8 = '<?xml version="1.0" encoding="UTF-8"?>';
const PROLOG_LATIN1 = '<?xml version="1.0" encoding="ISO-8859-1"?>';

describe('decodeBpmnBytes', () => {
  it('strips a UTF-8 byte-order mark', () => {
    // Given UTF-8 bytes preceded by EF BB BF
    const body = new TextEncoder().encode(`${PROLOG_UTF8}<definitions name="Relatório"/>`);
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...body]);

    // When decoded
    const text = decodeBpmnBytes(bytes);

    // Then the text starts at the prolog, without U+FEFF
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text).toBe(`${PROLOG_UTF8}<definitions name="Relatório"/>`);
  });

  it('decodes valid UTF-8 as UTF-8 even when the prolog claims ISO-8859-1', () => {
    // Given a file that declares Latin-1 but holds UTF-8 ("ó" = C3 B3), like flowable/encoding.bpmn
    const bytes = new TextEncoder().encode(`${PROLOG_LATIN1}<userTask name="Fazer relatório"/>`);
    expect([...bytes]).toEqual(expect.arrayContaining([0xc3, 0xb3]));

    // When decoded, Then the bytes decide, not the declaration
    expect(decodeBpmnBytes(bytes)).toBe(`${PROLOG_LATIN1}<userTask name="Fazer relatório"/>`);
  });

  it('falls back to Latin-1 when the bytes are not valid UTF-8', () => {
    // Given Latin-1 bytes: "ó" is the single byte F3, and 0x80-0x9F are plain C1 code points
    const text = `${PROLOG_LATIN1}<userTask name="Fazer relatório"/>`;
    const bytes = new Uint8Array([...text].map((c) => c.charCodeAt(0)));
    expect(bytes).toContain(0xf3);

    // When decoded, Then every byte maps to the same code point
    expect(decodeBpmnBytes(bytes)).toBe(text);
    expect(decodeBpmnBytes(new Uint8Array([0x41, 0x80, 0xe9]))).toBe('A\u0080é');
  });

  it('honours a windows-1252 declaration when falling back', () => {
    // Given invalid UTF-8 declared as windows-1252 with a curly quote (0x93)
    const prolog = '<?xml version="1.0" encoding="windows-1252"?>';
    const bytes = new Uint8Array([...[...prolog].map((c) => c.charCodeAt(0)), 0x93, 0x41, 0x94]);

    // Then 0x93/0x94 become the quotes windows-1252 means
    expect(decodeBpmnBytes(bytes)).toBe(`${prolog}\u201cA\u201d`);
  });

  it('decodes UTF-16 with a byte-order mark', () => {
    const text = '<definitions name="é"/>';
    const bytes = new Uint8Array([0xff, 0xfe, ...[...text].flatMap((c) => [c.charCodeAt(0), 0])]);
    expect(decodeBpmnBytes(bytes)).toBe(text);
  });
});
