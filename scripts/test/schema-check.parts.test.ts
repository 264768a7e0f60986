import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { parseAcknowledgements, sameChange } from '../lib/schema-acknowledgements.ts';
import { diffApiSchemas } from '../lib/schema-breaking.ts';
import { checkOperations } from '../lib/schema-operations.ts';
import { formatReport } from '../lib/schema-report.ts';
import { unifiedDiff } from '../lib/schema-text-diff.ts';

/** The building blocks of schema:check, one behaviour each. */

describe('unifiedDiff', () => {
  const lines = (count: number) => Array.from({ length: count }, (_, index) => `line ${index + 1}`);

  it('is empty for equal texts, including texts that differ only in line endings', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toEqual([]);
    expect(unifiedDiff('a\r\nb\r\n', 'a\nb')).toEqual([]);
  });

  it('shows each change with three lines of context and its line numbers, in separate hunks', () => {
    const before = lines(20);
    const after = [...before];
    after[2] = 'changed 3';
    after.splice(15, 1);
    expect(unifiedDiff(before.join('\n'), after.join('\n'))).toEqual([
      '@@ -1,6 +1,6 @@',
      ' line 1',
      ' line 2',
      '-line 3',
      '+changed 3',
      ' line 4',
      ' line 5',
      ' line 6',
      '@@ -13,7 +13,6 @@',
      ' line 13',
      ' line 14',
      ' line 15',
      '-line 16',
      ' line 17',
      ' line 18',
      ' line 19',
    ]);
  });

  it('stops at maxLines and says how much it left out', () => {
    const diff = unifiedDiff(lines(100).join('\n'), '', { maxLines: 5 });
    expect(diff).toHaveLength(6);
    expect(diff.at(-1)).toBe('... 96 more diff lines');
  });
});

describe('acknowledgements', () => {
  it('reads entries of change and reason; no file or an empty one acknowledges nothing', () => {
    const text = 'acknowledged:\n  - change: "FIELD_REMOVED: Query.a was removed"\n    reason: " unused "\n';
    expect(parseAcknowledgements(text)).toEqual([{ change: 'FIELD_REMOVED: Query.a was removed', reason: 'unused' }]);
    expect(parseAcknowledgements(undefined)).toEqual([]);
    expect(parseAcknowledgements('# nothing yet\n')).toEqual([]);
    expect(parseAcknowledgements('acknowledged: []\n')).toEqual([]);
  });

  it('rejects a misspelt key, a blank reason, another top-level key and broken YAML, naming the file', () => {
    const entry = (body: string) => `acknowledged:\n  - change: "X: y"\n${body}`;
    expect(() => parseAcknowledgements(entry('    reasons: typo\n'), 'acks.yaml')).toThrow(
      /^acks\.yaml: entry 1 needs/,
    );
    expect(() => parseAcknowledgements(entry('    reason: "  "\n'))).toThrow(/entry 1 needs/);
    expect(() => parseAcknowledgements('acknowledge: []\n')).toThrow(/expected only a list under "acknowledged"/);
    expect(() => parseAcknowledgements('acknowledged: [', 'acks.yaml')).toThrow(/^acks\.yaml: /);
  });

  it('matches a change copied with or without its final period', () => {
    expect(sameChange('FIELD_REMOVED: Query.a was removed.', ' FIELD_REMOVED: Query.a was removed')).toBe(true);
    expect(sameChange('FIELD_REMOVED: Query.a was removed', 'FIELD_REMOVED: Query.ab was removed')).toBe(false);
  });
});

describe('diffApiSchemas', () => {
  it('names breaking and dangerous changes by graphql-js code, without the final period', () => {
    const base = buildSchema('type Query { a(x: Int): String b: Int }');
    const current = buildSchema('type Query { a(x: Int, y: Int): Int }');
    expect(diffApiSchemas(base, current)).toEqual({
      breaking: ['FIELD_REMOVED: Query.b was removed', 'FIELD_CHANGED_KIND: Query.a changed type from String to Int'],
      dangerous: ['OPTIONAL_ARG_ADDED: An optional arg y on Query.a was added'],
    });
  });
});

describe('checkOperations', () => {
  const schema = buildSchema('type Query { me: User } type User { id: ID! name: String }');
  const check = (documents: Record<string, string>) =>
    checkOperations(
      schema,
      Object.entries(documents).map(([file, source]) => ({ file, source })),
    );

  it('names the file, position and enclosing operation or fragment of each error', () => {
    const result = check({
      'a.graphql': 'query Me { me { ...UserFields } }\nfragment UserFields on User { id email }\n',
      'b.graphql': '{ me { nope } }',
      'c.graphql': 'query Broken {',
    });
    expect(result).toMatchObject({ status: 'fail', summary: '3 validation errors against the API schema' });
    expect(result.details).toEqual([
      'a.graphql:2:34: fragment UserFields: Cannot query field "email" on type "User".',
      'b.graphql:1:8: query (anonymous): Cannot query field "nope" on type "User". Did you mean "name"?',
      'c.graphql:1:15: Syntax Error: Expected Name, found <EOF>.',
    ]);
  });

  it('counts operations, ignores comment-only placeholders, and skips when there is nothing to check', () => {
    const placeholder = '# product operations join with the product subgraph\n';
    expect(check({ 'a.graphql': 'query A { me { id } }\nquery B { me { name } }', 'p.graphql': placeholder })).toEqual({
      check: 'operations',
      status: 'pass',
      summary: '2 operations in 1 file validate against the API schema',
      details: [],
    });
    expect(check({ 'p.graphql': placeholder })).toMatchObject({ status: 'skip' });
  });
});

describe('formatReport', () => {
  it('prints one line per check, its details indented, and a verdict naming the failed checks', () => {
    const report = formatReport([
      { check: 'drift', status: 'pass', summary: 'ok', details: [] },
      { check: 'operations', status: 'fail', summary: '1 validation error', details: ['a.graphql:1:1: boom'] },
    ]);
    expect(report).toBe(
      [
        'PASS  drift       ok',
        'FAIL  operations  1 validation error',
        '      a.graphql:1:1: boom',
        '',
        'schema:check failed: operations',
        '',
      ].join('\n'),
    );
  });
});
