import { type FragmentDefinitionNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * Whether the operation selects the field at `path` below the field being resolved, through inline
 * fragments and named ones too: lets a resolver fetch a nested field's rows in its own statement
 * only when they will be read. @skip and @include are not looked at, so the answer errs on "yes"
 * (rows fetched and not used), never on "no".
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  return info.fieldNodes.some((node) => selects(node.selectionSet, path, info.fragments));
}

function selects(
  set: SelectionSetNode | undefined,
  path: readonly string[],
  fragments: Record<string, FragmentDefinitionNode>,
): boolean {
  if (!set) return false;
  const [name, ...rest] = path;
  return set.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) {
      return selection.name.value === name && (rest.length === 0 || selects(selection.selectionSet, rest, fragments));
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) return selects(selection.selectionSet, path, fragments);
    return selects(fragments[selection.name.value]?.selectionSet, path, fragments);
  });
}
