import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface SubgraphEntry {
  name: string;
  routingUrl: string;
  /** Absolute path of the committed SDL file. */
  schemaFile: string;
  /** The subgraph's workspace folder, e.g. /repo/subgraphs/customer. */
  workspace: string;
}

export interface SupergraphConfig {
  federationVersion: string;
  subgraphs: SubgraphEntry[];
}

/** Reads rover's `supergraph.yaml` (federation_version + per subgraph routing_url and schema.file). */
export function readSupergraphConfig(path = join(REPO_ROOT, 'supergraph.yaml')): SupergraphConfig {
  const raw: unknown = parse(readFileSync(path, 'utf8'));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${path}: expected a mapping with federation_version and subgraphs`);
  }
  const { federation_version, subgraphs: entries } = raw as {
    federation_version?: string;
    subgraphs?: Record<string, { routing_url?: string; schema?: { file?: string } } | null>;
  };
  const subgraphs = Object.entries(entries ?? {}).map(([name, entry]) => {
    if (!entry?.routing_url || !entry.schema?.file) {
      throw new Error(`${path}: subgraph "${name}" needs routing_url and schema.file`);
    }
    const schemaFile = resolve(dirname(path), entry.schema.file);
    return { name, routingUrl: entry.routing_url, schemaFile, workspace: dirname(schemaFile) };
  });
  if (subgraphs.length === 0) throw new Error(`${path}: no subgraphs`);
  return { federationVersion: String(federation_version ?? ''), subgraphs };
}
