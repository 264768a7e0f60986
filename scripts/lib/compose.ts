import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { composeServices } from '@apollo/composition';
import { type GraphQLError, parse } from 'graphql';
import { readSupergraphConfig, type SupergraphConfig } from './supergraph-config.ts';

/**
 * Composition from rover's `supergraph.yaml`, with the same `@apollo/composition` rover runs for
 * the pinned `federation_version`, so `npm run compose` and `rover supergraph compose` agree.
 * Runs under Node's type stripping: erasable syntax only.
 */

export interface SubgraphSource {
  name: string;
  routingUrl: string;
  sdl: string;
}

export type CompositionOutcome =
  | { ok: true; supergraphSdl: string; hints: string[]; warnings: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

const COMPOSITION_VERSION: string = createRequire(import.meta.url)('@apollo/composition/package.json').version;

/** Composes in-memory subgraph SDL; every error names the subgraphs it concerns. */
export function composeSupergraph(subgraphs: SubgraphSource[]): CompositionOutcome {
  const errors: string[] = [];
  const services: Parameters<typeof composeServices>[0] = [];
  for (const { name, routingUrl, sdl } of subgraphs) {
    try {
      services.push({ name, url: routingUrl, typeDefs: parse(sdl) });
    } catch (error) {
      errors.push(`[${name}] ${(error as Error).message}`);
    }
  }
  if (errors.length > 0) return { ok: false, errors, warnings: [] };
  const result = composeServices(services);
  if (result.errors) return { ok: false, errors: result.errors.map(describeError), warnings: [] };
  return {
    ok: true,
    supergraphSdl: `${result.supergraphSdl.trimEnd()}\n`,
    hints: result.hints.map((hint) => `${hint.definition.code}: ${hint.message}`),
    warnings: [],
  };
}

/**
 * Reads `supergraph.yaml` and the schema files it names (relative to the YAML, as rover does), then
 * composes. Never throws: every problem is in the outcome.
 */
export async function composeFromConfig(configPath: string): Promise<CompositionOutcome> {
  let config: SupergraphConfig;
  let warnings: string[];
  try {
    config = readSupergraphConfig(configPath);
    warnings = checkFederationVersion(config.federationVersion);
  } catch (error) {
    return { ok: false, errors: [(error as Error).message], warnings: [] };
  }
  const sources: SubgraphSource[] = [];
  const errors: string[] = [];
  for (const { name, routingUrl, schemaFile } of config.subgraphs) {
    try {
      sources.push({ name, routingUrl, sdl: await readFile(schemaFile, 'utf8') });
    } catch (error) {
      errors.push(`[${name}] cannot read its schema: ${(error as Error).message}`);
    }
  }
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ...composeSupergraph(sources), warnings };
}

/**
 * Rover picks its composition by `federation_version`; we have one installed. A different exact
 * pin is a warning, not an error, so a patch release of @apollo/composition does not stop `npm start`.
 */
export function checkFederationVersion(version: string): string[] {
  if (!/^=?2(\.\d+){0,2}$/.test(version)) {
    throw new Error(
      `federation_version must be a Federation 2 version such as =${COMPOSITION_VERSION}, got "${version}"`,
    );
  }
  return version.startsWith('=') && version.slice(1) !== COMPOSITION_VERSION
    ? [
        `supergraph.yaml pins federation ${version.slice(1)} but @apollo/composition ${COMPOSITION_VERSION} is installed`,
      ]
    : [];
}

function describeError(error: GraphQLError): string {
  const subgraphs = new Set<string>();
  for (const node of error.nodes ?? []) {
    const subgraph = (node as { subgraph?: unknown }).subgraph;
    if (typeof subgraph === 'string') subgraphs.add(subgraph);
  }
  const code = String(error.extensions.code ?? 'COMPOSITION_ERROR');
  // Subgraph validation errors already start with "[name] "; say it once, in front.
  const message = error.message.replace(/^\[[^\]]+\]\s*/, '');
  const prefix =
    subgraphs.size > 0 ? `[${[...subgraphs].join(', ')}] ` : (error.message.match(/^\[[^\]]+\]\s*/)?.[0] ?? '');
  return `${prefix}${code}: ${message}`;
}
