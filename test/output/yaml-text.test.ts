import { jsYamlText, yamlText } from '../../lib/util/yaml-text';

/** Strings that YAML reads as something else, or that need quoting, escaping or a block style. */
const TRICKY_STRINGS = [
  '',
  ' ',
  'plain',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'N',
  'true',
  'False',
  'null',
  '~',
  '0755',
  '0x1F',
  '1e5',
  '1_000',
  '12:30:00',
  '.inf',
  '-.NaN',
  '2024-01-01',
  '<<',
  '- item',
  '? key',
  ': value',
  'a: b',
  'a #b',
  '#comment',
  '[x]',
  '{x}',
  'x, y',
  '*alias',
  '&anchor',
  '!tag',
  '|',
  '>',
  "it's",
  '"quoted"',
  '%percent',
  '@at',
  '`tick`',
  'tab\there',
  'trailing ',
  ' leading',
  'ünïcödé',
  '😀 emoji',
  'nul\u0000char',
  'bell\u0007',
  'nel\u0085',
  'bom\ufeff',
  'line\n',
  'two\nlines',
  'two\nlines\n',
  'keep\n\n',
  '\n',
  '\n\n',
  '  indented\nblock',
  '\nleading newline',
  'lines\n  more indented\nback',
  'cr\r\nlf',
  'x'.repeat(2000),
  'unicode\nblock ü',
  'tab\tin\nblock',
  'a\n\n\nb',
];

const KEYS = ['key', 'yes', '0', '1e3', 'with space', 'a: b', '', 'ü', 'k'.repeat(1100), "it's".repeat(260), 'multi\nline'];

describe('yamlText', () => {
  test('GIVEN tricky strings as values and keys, at every depth WHEN written THEN the text is what js-yaml writes', () => {
    const documents: unknown[] = [
      ...TRICKY_STRINGS,
      TRICKY_STRINGS,
      Object.fromEntries(TRICKY_STRINGS.map((s, i) => [`k${i}`, s])),
      { nested: { deeper: { list: TRICKY_STRINGS.map((s) => ({ value: s, more: [s, [s]] })) } } },
      Object.fromEntries(KEYS.map((k) => [k, 'v'])),
      Object.fromEntries(TRICKY_STRINGS.map((s) => [s, { s }])),
    ];
    for (const document of documents) {
      for (const sortKeys of [false, true]) expect(yamlText(document, { sortKeys })).toBe(jsYamlText(document, { sortKeys }));
    }
  });

  test('GIVEN numbers, booleans, null, undefined and empty collections WHEN written THEN the text is what js-yaml writes', () => {
    const document = {
      numbers: [0, -0, 1, -1, 1.5, 1e21, 1e-7, 2 ** 53, Number.MAX_VALUE, NaN, Infinity, -Infinity],
      flags: [true, false],
      nothing: null,
      skipped: undefined,
      holes: [undefined, null, 1],
      empty: { object: {}, list: [], onlyUndefined: { a: undefined } },
      deep: [[[]], [{}], [[1, [2]]]],
      mixed: [{ a: 1, b: [{ c: {} }] }, 'x', [{}]],
    };
    expect(yamlText(document)).toBe(jsYamlText(document));
    expect(yamlText(undefined)).toBe(jsYamlText(undefined));
    expect(yamlText('top')).toBe(jsYamlText('top'));
  });

  test('GIVEN data that is not JSON WHEN written THEN js-yaml writes it (dates, class instances) or refuses it as js-yaml does', () => {
    class Quantity {
      constructor(public readonly value: string) {}
    }
    const document = { when: new Date(0), quantity: new Quantity('1Gi'), list: [new Date(1)] };
    expect(yamlText(document)).toBe(jsYamlText(document));
    expect(() => yamlText({ f: () => 1 })).toThrow(/unacceptable kind/);
  });
});
