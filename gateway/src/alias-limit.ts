import {
  type ASTVisitor,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * Limits the aliases of each operation, counting every aliased field, `__typename` included.
 * graphql-armor's max-aliases rule exempts `__typename` (its default allow-list), yet a thousand
 * aliased `__typename`s under a list field still cost the gateway and the subgraphs a thousand
 * response entries each; this rule has no exemptions. A fragment counts each time it is spread,
 * because each spread can sit under a different list.
 */
export function maxAliasesRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragmentCounts = new Map<string, number>();

    const countFragment = (name: string): number => {
      const known = fragmentCounts.get(name);
      if (known !== undefined) return known;
      // A fragment cycle is reported by graphql's own NoFragmentCycles rule; here it just ends the walk.
      fragmentCounts.set(name, 0);
      const fragment = context.getFragment(name);
      const count = fragment ? countSelections(fragment.selectionSet) : 0;
      fragmentCounts.set(name, count);
      return count;
    };

    const countSelections = (selectionSet: SelectionSetNode): number => {
      let count = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          count += countFragment(selection.name.value);
          continue;
        }
        if (selection.kind === Kind.FIELD && selection.alias) count += 1;
        if (selection.selectionSet) count += countSelections(selection.selectionSet);
      }
      return count;
    };

    return {
      OperationDefinition(operation: OperationDefinitionNode) {
        const count = countSelections(operation.selectionSet);
        if (count <= max) return;
        context.reportError(
          new GraphQLError(`Too many aliases: ${count} in this operation, at most ${max} allowed.`, {
            nodes: [operation],
          }),
        );
      },
    };
  };
}
