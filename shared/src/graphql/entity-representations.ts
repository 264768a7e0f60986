import {
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
} from 'graphql';

const GUARDED = Symbol('entity representations guarded');

/**
 * `_entities(representations: [_Any!]!)` takes any JSON as a representation. @apollo/subgraph
 * throws a plain Error for one whose `__typename` names no entity, and a reference resolver given
 * no key fails as it loads `undefined`: both INTERNAL_SERVER_ERRORs. The gateway never sends such
 * a thing, but whoever else holds the gateway secret may: each representation must be an object
 * whose `__typename` is an entity of this subgraph and that carries the fields of one of its
 * `@key`s, or the request is refused with BAD_USER_INPUT.
 */
export function guardEntityRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities as
    | (GraphQLField<unknown, unknown> & { [GUARDED]?: true })
    | undefined;
  const resolve = field?.resolve;
  if (!field || !resolve || field[GUARDED]) return schema;
  const keysByType = entityKeys(schema);
  field.resolve = (source, args, context, info) => {
    const representations: unknown = args.representations;
    if (Array.isArray(representations)) {
      representations.forEach((representation: unknown, index) => {
        const problem = representationProblem(representation, keysByType);
        if (problem)
          throw new GraphQLError(`representations[${index}] ${problem}.`, { extensions: { code: 'BAD_USER_INPUT' } });
      });
    }
    return resolve(source, args, context, info);
  };
  field[GUARDED] = true;
  return schema;
}

/** Each entity type (a member of `_Entity`, or an interface) with the top-level fields of each `@key`. */
function entityKeys(schema: GraphQLSchema): Map<string, string[][]> {
  const entityUnion = schema.getType('_Entity');
  const types: GraphQLNamedType[] = [
    ...(isUnionType(entityUnion) ? entityUnion.getTypes() : []),
    ...Object.values(schema.getTypeMap()).filter(isInterfaceType),
  ];
  return new Map(types.map((type) => [type.name, keysOf(type)]));
}

function keysOf(type: GraphQLNamedType): string[][] {
  if (!isObjectType(type) && !isInterfaceType(type)) return [];
  const directives = [type.astNode, ...type.extensionASTNodes].flatMap((node) => node?.directives ?? []);
  return directives
    .filter((directive) => directive.name.value === 'key' || directive.name.value === 'federation__key')
    .flatMap((directive) => {
      const fields = directive.arguments?.find((argument) => argument.name.value === 'fields')?.value;
      if (fields?.kind !== Kind.STRING) return [];
      const selection = parse(`{ ${fields.value} }`, { noLocation: true }).definitions[0];
      if (selection?.kind !== Kind.OPERATION_DEFINITION) return [];
      return [selection.selectionSet.selections.flatMap((node) => (node.kind === Kind.FIELD ? [node.name.value] : []))];
    });
}

function representationProblem(representation: unknown, keysByType: Map<string, string[][]>): string | undefined {
  if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) {
    return 'must be an object';
  }
  const fields = representation as Record<string, unknown>;
  const typename = fields.__typename;
  const keys = typeof typename === 'string' ? keysByType.get(typename) : undefined;
  if (!keys) return 'must have a __typename that names an entity of this subgraph';
  const present = (name: string) => fields[name] !== undefined && fields[name] !== null;
  if (keys.length === 0 || keys.some((key) => key.every(present))) return undefined;
  return `lacks the key fields of ${typename} (${keys.map((key) => key.join(' ')).join(' or ')})`;
}
