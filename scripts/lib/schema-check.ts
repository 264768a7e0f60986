import type { GraphQLSchema } from 'graphql';
import { checkManifest, type ManifestState } from './operations-manifest.ts';
import {
  type AcknowledgementsSource,
  apiSchemaOf,
  type BaseSupergraph,
  checkBreakingChanges,
} from './schema-breaking.ts';
import { checkComposition } from './schema-composition.ts';
import { checkDrift, type SubgraphSchemaState } from './schema-drift.ts';
import { checkOperations, type OperationDocument } from './schema-operations.ts';
import { type CheckResult, skipped } from './schema-report.ts';

/**
 * Every schema check on in-memory inputs: the CLI gathers files, printed SDL and the base from git;
 * this decides. Later checks need the composed supergraph, so they are skipped (and say why) when
 * composition fails, rather than reporting errors that only repeat it.
 */

export interface SchemaCheckInput {
  federationVersion: string;
  subgraphs: SubgraphSchemaState[];
  supergraph: { file: string; committed: string | undefined };
  base: BaseSupergraph;
  acknowledgements: AcknowledgementsSource;
  operations: OperationDocument[];
  /** gateway/operations' persisted operations: committed, and as the operations make it now. */
  manifest: ManifestState;
  /**
   * What the gateway adds to the composed API schema (its subscriptions): operations validate against
   * the result; a throwing extension fails the operations check, since the frontends could not use it.
   */
  extendApi?: (api: GraphQLSchema) => GraphQLSchema;
}

export function runSchemaCheck(input: SchemaCheckInput): CheckResult[] {
  const composition = checkComposition(input.subgraphs, input.federationVersion);
  // Needs no schema: it only says whether the committed manifest is what the documents make.
  const manifest = checkManifest(input.manifest);
  const drift = checkDrift(input.subgraphs, { ...input.supergraph, composed: composition.supergraphSdl });
  if (composition.supergraphSdl === undefined) {
    return [
      drift,
      composition.result,
      skipped('breaking changes', 'composition failed'),
      skipped('operations', 'composition failed'),
      manifest,
    ];
  }
  let api: GraphQLSchema;
  try {
    api = apiSchemaOf(composition.supergraphSdl);
  } catch (error) {
    const summary = 'cannot derive the API schema of the composed supergraph';
    const failure: CheckResult = {
      check: 'breaking changes',
      status: 'fail',
      summary,
      details: [(error as Error).message],
    };
    return [drift, composition.result, failure, skipped('operations', 'no API schema'), manifest];
  }
  let operations: CheckResult;
  try {
    operations = checkOperations(input.extendApi?.(api) ?? api, input.operations);
  } catch (error) {
    const summary = "the gateway's extension of the API schema is invalid";
    operations = { check: 'operations', status: 'fail', summary, details: [(error as Error).message] };
  }
  return [
    drift,
    composition.result,
    checkBreakingChanges(input.base, api, input.acknowledgements),
    operations,
    manifest,
  ];
}
