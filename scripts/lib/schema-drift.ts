import type { CheckResult } from './schema-report.ts';
import { unifiedDiff } from './schema-text-diff.ts';

/**
 * Drift: the committed schemas are build artifacts (printed from code, then composed), so a
 * difference means someone changed the code and forgot to emit or compose, or edited an artifact by hand.
 */

export interface SubgraphSchemaState {
  name: string;
  routingUrl: string;
  /** Path shown in the report, relative to the repository root. */
  file: string;
  /** The committed `schema.graphql`; undefined when the file is missing. */
  committed: string | undefined;
  /** What the subgraph's code prints today, or why it could not be printed. */
  emitted: string | Error;
}

export interface SupergraphState {
  file: string;
  committed: string | undefined;
  /** A fresh composition of the committed subgraph schemas; undefined when composition failed. */
  composed: string | undefined;
}

export function checkDrift(subgraphs: SubgraphSchemaState[], supergraph: SupergraphState): CheckResult {
  const problems = [...subgraphs.flatMap(subgraphDrift), ...supergraphDrift(supergraph)];
  const compared = subgraphs.map((subgraph) => subgraph.file);
  if (supergraph.composed !== undefined) compared.push(supergraph.file);
  return problems.length > 0
    ? { check: 'drift', status: 'fail', summary: 'committed schemas differ from the code', details: problems }
    : { check: 'drift', status: 'pass', summary: `${compared.join(', ')} match the code`, details: [] };
}

function supergraphDrift({ file, committed, composed }: SupergraphState): string[] {
  // A failed composition is reported by its own check; comparing against nothing would only add noise.
  if (composed === undefined) return [];
  if (committed === undefined) return [`${file} is missing: run npm run compose`];
  return describeDifference(
    committed,
    composed,
    `${file} differs from a fresh composition of the subgraph schemas: run npm run compose`,
  );
}

function subgraphDrift(subgraph: SubgraphSchemaState): string[] {
  const fix = 'run npm run schema:emit';
  if (subgraph.emitted instanceof Error) {
    return [`${subgraph.name}: cannot print its schema from code: ${subgraph.emitted.message}`];
  }
  if (subgraph.committed === undefined) return [`${subgraph.file} is missing: ${fix}`];
  return describeDifference(
    subgraph.committed,
    subgraph.emitted,
    `${subgraph.file} differs from what its code emits: ${fix}`,
  );
}

/** No lines when equal; otherwise the headline and a diff from the committed text to the expected one. */
function describeDifference(committed: string, expected: string, headline: string): string[] {
  if (committed === expected) return [];
  const diff = unifiedDiff(committed, expected);
  if (diff.length === 0) return [`${headline} (only line endings or the final newline differ)`];
  return [headline, '  --- committed', '  +++ expected', ...diff.map((line) => `  ${line}`)];
}
