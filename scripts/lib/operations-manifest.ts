import type { OperationDocument } from './schema-operations.ts';
import type { CheckResult } from './schema-report.ts';

/**
 * The persisted operations manifest: what `npm run operations:manifest` writes and schema:check
 * compares with the committed file. How a document becomes entries and ids is the gateway's
 * (gateway/src/persisted-documents.ts), run from its build so both always agree.
 */

export const MANIFEST_FILE = 'gateway/operations/persisted-query-manifest.json';

/** The manifest's text for these documents, or why none can be made (e.g. an anonymous operation). */
export async function generateManifest(documents: OperationDocument[]): Promise<string | Error> {
  try {
    const { buildManifest, manifestText } = await import('@commerce-supergraph/gateway/persisted-documents');
    return manifestText(buildManifest(documents));
  } catch (error) {
    return error as Error;
  }
}

export interface ManifestState {
  file: string;
  committed: string | undefined;
  generated: string | Error;
}

interface Entry {
  name?: unknown;
  id?: unknown;
}

export function checkManifest({ file, committed, generated }: ManifestState): CheckResult {
  const check = 'persisted operations';
  const fix = 'run npm run operations:manifest and commit the result';
  if (generated instanceof Error) {
    return { check, status: 'fail', summary: 'gateway/operations cannot be persisted', details: [generated.message] };
  }
  const count = operationsOf(generated).length;
  if (committed === undefined) return { check, status: 'fail', summary: `${file} is missing: ${fix}`, details: [] };
  if (committed === generated) {
    return { check, status: 'pass', summary: `${file} is up to date (${count} operations)`, details: [] };
  }
  return { check, status: 'fail', summary: `${file} is stale: ${fix}`, details: differences(committed, generated) };
}

/** Which operations were added, removed or changed, by name; the file itself when it is not a manifest. */
function differences(committed: string, generated: string): string[] {
  let before: Entry[];
  try {
    before = operationsOf(committed);
  } catch {
    return [`${MANIFEST_FILE} is not a manifest`];
  }
  const after = operationsOf(generated);
  const ids = (entries: Entry[]) => new Map(entries.map((entry) => [String(entry.name), entry.id]));
  const [old, current] = [ids(before), ids(after)];
  const details = [
    ...[...current.keys()].filter((name) => !old.has(name)).map((name) => `added: ${name}`),
    ...[...old.keys()].filter((name) => !current.has(name)).map((name) => `removed: ${name}`),
    ...[...current].filter(([name, id]) => old.has(name) && old.get(name) !== id).map(([name]) => `changed: ${name}`),
  ];
  return details.length > 0 ? details : ['the operations are the same, the file is written differently'];
}

function operationsOf(text: string): Entry[] {
  const operations = (JSON.parse(text) as { operations?: unknown }).operations;
  if (!Array.isArray(operations)) throw new Error('no operations');
  return operations as Entry[];
}
