import { Supergraph } from '@apollo/federation-internals';
import { findBreakingChanges, findDangerousChanges, type GraphQLSchema } from 'graphql';
import { type Acknowledgement, parseAcknowledgements, sameChange } from './schema-acknowledgements.ts';
import type { CheckResult } from './schema-report.ts';

/**
 * Breaking changes of the API schema (what clients see: no join__ directives, no @inaccessible
 * elements), found by graphql-js: its change codes and descriptions become the report's wording and
 * the text an acknowledgement quotes, e.g. `FIELD_REMOVED: Query.legacyField was removed`.
 */

export type BaseSupergraph = { label: string; sdl: string } | { skipped: string };

export interface AcknowledgementsSource {
  file: string;
  text: string | undefined;
}

/** The client-facing schema of a supergraph, as the gateway serves it. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

export function diffApiSchemas(
  base: GraphQLSchema,
  current: GraphQLSchema,
): { breaking: string[]; dangerous: string[] } {
  const describe = ({ type, description }: { type: string; description: string }) =>
    `${type}: ${description.replace(/\.$/, '')}`;
  return {
    breaking: findBreakingChanges(base, current).map(describe),
    dangerous: findDangerousChanges(base, current).map(describe),
  };
}

export function checkBreakingChanges(
  base: BaseSupergraph,
  current: GraphQLSchema,
  acknowledgementsSource: AcknowledgementsSource,
): CheckResult {
  const result = (status: CheckResult['status'], summary: string, details: string[] = []): CheckResult => ({
    check: 'breaking changes',
    status,
    summary,
    details,
  });
  let acknowledgements: Acknowledgement[];
  try {
    acknowledgements = parseAcknowledgements(acknowledgementsSource.text, acknowledgementsSource.file);
  } catch (error) {
    return result('fail', 'the acknowledgements file is invalid', [(error as Error).message]);
  }
  if ('skipped' in base) return result('skip', base.skipped);
  let baseApi: GraphQLSchema;
  try {
    baseApi = apiSchemaOf(base.sdl);
  } catch (error) {
    return result('fail', `cannot read the API schema at ${base.label}`, [(error as Error).message]);
  }
  const { breaking, dangerous } = diffApiSchemas(baseApi, current);
  const reasonOf = (change: string) => acknowledgements.find((ack) => sameChange(ack.change, change))?.reason;
  const open = breaking.filter((change) => reasonOf(change) === undefined);
  const details = [
    ...open.map((change) => `breaking: ${change}`),
    ...(open.length > 0
      ? [`to ship an intended breaking change, add it with a reason to ${acknowledgementsSource.file}`]
      : []),
    ...breaking.flatMap((change) => {
      const reason = reasonOf(change);
      return reason === undefined ? [] : [`acknowledged: ${change} (reason: ${reason})`];
    }),
    ...dangerous.map((change) => `dangerous (not failing): ${change}`),
    ...acknowledgements
      .filter((ack) => !breaking.some((change) => sameChange(ack.change, change)))
      .map((ack) => `unused acknowledgement, not a change against the base (remove it once merged): ${ack.change}`),
  ];
  if (open.length > 0) return result('fail', `${open.length} unacknowledged against ${base.label}`, details);
  const summary =
    breaking.length > 0 ? `${breaking.length} against ${base.label}, all acknowledged` : `none against ${base.label}`;
  return result('pass', summary, details);
}
