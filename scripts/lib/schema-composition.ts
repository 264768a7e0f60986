import { checkFederationVersion, composeSupergraph } from './compose.ts';
import type { SubgraphSchemaState } from './schema-drift.ts';
import type { CheckResult } from './schema-report.ts';

/**
 * Composes the committed subgraph schemas, exactly what `npm run compose` composes, so that the
 * supergraph the gateway will load is the one checked for breaking changes and operations.
 */

export interface CompositionCheck {
  result: CheckResult;
  /** Undefined when composition failed. */
  supergraphSdl: string | undefined;
}

export function checkComposition(subgraphs: SubgraphSchemaState[], federationVersion: string): CompositionCheck {
  const missing = subgraphs.filter((subgraph) => subgraph.committed === undefined);
  if (missing.length > 0) {
    const details = missing.map((subgraph) => `[${subgraph.name}] ${subgraph.file} is missing`);
    return { result: failure(details), supergraphSdl: undefined };
  }
  let notes: string[];
  try {
    notes = checkFederationVersion(federationVersion).map((warning) => `warning: ${warning}`);
  } catch (error) {
    return { result: failure([`supergraph.yaml: ${(error as Error).message}`]), supergraphSdl: undefined };
  }
  const outcome = composeSupergraph(
    subgraphs.map(({ name, routingUrl, committed }) => ({ name, routingUrl, sdl: committed ?? '' })),
  );
  if (!outcome.ok) return { result: failure([...outcome.errors, ...notes]), supergraphSdl: undefined };
  const count = subgraphs.length === 1 ? '1 subgraph composes' : `${subgraphs.length} subgraphs compose`;
  return {
    result: {
      check: 'composition',
      status: 'pass',
      summary: `${count} (${subgraphs.map((subgraph) => subgraph.name).join(', ')})`,
      details: [...notes, ...outcome.hints.map((hint) => `hint: ${hint}`)],
    },
    supergraphSdl: outcome.supergraphSdl,
  };
}

function failure(details: string[]): CheckResult {
  return { check: 'composition', status: 'fail', summary: 'the subgraph schemas do not compose', details };
}
