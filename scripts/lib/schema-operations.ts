import {
  type DefinitionNode,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  validate,
} from 'graphql';
import type { CheckResult } from './schema-report.ts';

/**
 * The documents the frontends send, validated against the API schema: a field the supergraph no
 * longer serves fails here, in CI, instead of in a browser. Each file is validated on its own, so a
 * fragment must live in the file that uses it.
 */

export interface OperationDocument {
  /** Path shown in the report, relative to the repository root. */
  file: string;
  source: string;
}

export function checkOperations(schema: GraphQLSchema, documents: OperationDocument[]): CheckResult {
  const problems: string[] = [];
  let operations = 0;
  let files = 0;
  for (const { file, source } of documents) {
    // A placeholder file with only comments is not an error; parse() would call it one.
    if (source.replace(/#.*$/gm, '').trim() === '') continue;
    files++;
    let document: DocumentNode;
    try {
      document = parse(source);
    } catch (error) {
      problems.push(`${file}${where(error as GraphQLError)}: ${(error as Error).message}`);
      continue;
    }
    operations += document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION).length;
    for (const error of validate(schema, document)) {
      problems.push(`${file}${where(error)}: ${nameOf(enclosingDefinition(document, error))}: ${error.message}`);
    }
  }
  if (files === 0) {
    return { check: 'operations', status: 'skip', summary: 'no operation documents to validate', details: [] };
  }
  if (problems.length > 0) {
    return {
      check: 'operations',
      status: 'fail',
      summary: `${problems.length} validation errors against the API schema`,
      details: problems,
    };
  }
  const summary = `${operations} operations in ${files} ${files === 1 ? 'file' : 'files'} validate against the API schema`;
  return { check: 'operations', status: 'pass', summary, details: [] };
}

function where(error: GraphQLError): string {
  const location = error.locations?.[0];
  return location ? `:${location.line}:${location.column}` : '';
}

function enclosingDefinition(document: DocumentNode, error: GraphQLError): DefinitionNode | undefined {
  const start = error.nodes?.[0]?.loc?.start;
  if (start === undefined) return undefined;
  return document.definitions.find(({ loc }) => loc !== undefined && loc.start <= start && start < loc.end);
}

function nameOf(definition: DefinitionNode | undefined): string {
  if (definition?.kind === Kind.OPERATION_DEFINITION) {
    return `${definition.operation} ${definition.name?.value ?? '(anonymous)'}`;
  }
  if (definition?.kind === Kind.FRAGMENT_DEFINITION) return `fragment ${definition.name.value}`;
  return 'document';
}
