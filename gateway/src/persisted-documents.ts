import { createHash } from 'node:crypto';
import {
  type DefinitionNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type OperationTypeNode,
  parse,
  print,
  type SelectionSetNode,
  visit,
} from 'graphql';

/**
 * Persisted documents: the operations in gateway/operations/, one entry per operation, each with
 * the id a client sends instead of the document (docs/api.md, Persisted operations). The manifest
 * has Apollo's persisted query manifest format, so Apollo Client's persisted query tools read it.
 *
 * An entry's `body` is the operation as Apollo Client Web sends it, and its `id` the SHA-256 of
 * that body (UTF-8, lower-case hex), so Apollo Client's persisted query link hashes a document to
 * the same id at run time:
 *
 * 1. the operation, followed by every fragment it spreads, directly or through other fragments;
 * 2. `__typename` added at the end of every selection set except the operation's root, unless the
 *    set already selects `__typename` or another `__` field (Apollo Client's cache does this);
 * 3. operations before fragments, each sorted by name;
 * 4. printed by graphql-js `print()`: two-space indentation, one selection per line, definitions
 *    separated by an empty line, no trailing newline.
 *
 * The same steps as `@apollo/generate-persisted-query-manifest` and its runtime counterpart.
 * Only graphql and node:crypto are imported: scripts/ runs this module's build to write the manifest.
 */

export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

export interface PersistedOperation {
  id: string;
  name: string;
  type: OperationTypeNode;
  body: string;
}

export interface PersistedQueryManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  operations: PersistedOperation[];
}

export interface OperationSource {
  /** For error messages, e.g. gateway/operations/order.graphql. */
  file: string;
  source: string;
}

/** The id of a document: SHA-256 of its text, UTF-8, lower-case hex. */
export const documentId = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Steps 2 to 4 above: the text a document of one operation (and its fragments) is sent as. */
export function printAsSent(document: DocumentNode): string {
  return print(sortDefinitions(addTypename(document)));
}

/**
 * One entry per operation of every file, sorted by name. A file's fragments serve its own
 * operations (as schema:check validates each file on its own). Refuses what a manifest cannot
 * hold: an anonymous operation, two operations of one name, a spread of a fragment the file lacks.
 */
export function buildManifest(files: OperationSource[]): PersistedQueryManifest {
  const operations = new Map<string, PersistedOperation & { file: string }>();
  for (const { file, source } of files) {
    if (source.replace(/#.*$/gm, '').trim() === '') continue;
    const document = parse(source, { noLocation: true });
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const name = definition.name?.value;
      if (!name) throw new Error(`${file}: an anonymous ${definition.operation}: every operation needs a name`);
      const earlier = operations.get(name);
      if (earlier) throw new Error(`${file}: operation ${name} is already defined in ${earlier.file}`);
      const body = printAsSent({
        kind: Kind.DOCUMENT,
        definitions: [definition, ...usedFragments(definition, fragments, file)],
      });
      operations.set(name, { file, id: documentId(body), name, type: definition.operation, body });
    }
  }
  return {
    format: MANIFEST_FORMAT,
    version: 1,
    operations: [...operations.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(({ id, name, type, body }) => ({ id, name, type, body })),
  };
}

/** The manifest as committed: two-space JSON and a final newline. */
export const manifestText = (manifest: PersistedQueryManifest): string => `${JSON.stringify(manifest, null, 2)}\n`;

/** Reads a manifest, checking its shape and that every id is the hash of its body. */
export function parseManifest(text: string): PersistedQueryManifest {
  const manifest = JSON.parse(text) as Partial<PersistedQueryManifest>;
  if (manifest.format !== MANIFEST_FORMAT || manifest.version !== 1 || !Array.isArray(manifest.operations)) {
    throw new Error(`not an ${MANIFEST_FORMAT} of version 1`);
  }
  for (const operation of manifest.operations) {
    if (typeof operation?.body !== 'string' || operation.id !== documentId(operation.body)) {
      throw new Error(`operation ${operation?.name ?? '(unnamed)'}: its id is not the SHA-256 of its body`);
    }
  }
  return manifest as PersistedQueryManifest;
}

function usedFragments(
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  file: string,
): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const pending: SelectionSetNode[] = [operation.selectionSet];
  while (pending.length > 0) {
    visit(pending.pop() as SelectionSetNode, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        if (used.has(name)) return;
        const fragment = fragments.get(name);
        if (!fragment) throw new Error(`${file}: operation ${operation.name?.value} spreads unknown fragment ${name}`);
        used.set(name, fragment);
        pending.push(fragment.selectionSet);
      },
    });
  }
  return [...used.values()];
}

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/** Apollo Client's `addTypenameToDocument`: step 2 above. */
function addTypename(document: DocumentNode): DocumentNode {
  return visit(document, {
    SelectionSet: {
      enter(node, _key, parent) {
        if (parent && !Array.isArray(parent) && (parent as DefinitionNode).kind === Kind.OPERATION_DEFINITION) return;
        const hasMeta = node.selections.some(
          (selection) => selection.kind === Kind.FIELD && selection.name.value.startsWith('__'),
        );
        if (hasMeta) return;
        const field = parent as FieldNode | undefined;
        if (field?.kind === Kind.FIELD && field.directives?.some((directive) => directive.name.value === 'export')) {
          return;
        }
        return { ...node, selections: [...node.selections, TYPENAME] };
      },
    },
  });
}

/** Operations before fragments, each sorted by name: step 3 above. */
function sortDefinitions(document: DocumentNode): DocumentNode {
  const rank = (definition: DefinitionNode) => (definition.kind === Kind.OPERATION_DEFINITION ? 0 : 1);
  const nameOf = (definition: DefinitionNode) =>
    definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION
      ? (definition.name?.value ?? '')
      : '';
  const definitions = [...document.definitions].sort((a, b) => {
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    const [x, y] = [nameOf(a), nameOf(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { ...document, definitions };
}
