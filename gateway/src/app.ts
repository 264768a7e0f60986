import { readFile } from 'node:fs/promises';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { createTokenVerifier } from '@commerce-supergraph/shared/auth/jwt';
import { withRevocations } from '@commerce-supergraph/shared/auth/revocations';
import { RevocationFeed } from '@commerce-supergraph/shared/events/jetstream/revocation-feed';
import { REQUEST_VALIDATION_OPTIONS, requestErrorPlugins } from '@commerce-supergraph/shared/graphql/request-errors';
import { REVOCATIONS_READY_MS } from '@commerce-supergraph/shared/graphql/subgraph-service';
import { createGraphQLHttpServer, listen, type RunningServer } from '@commerce-supergraph/shared/http/server';
import { createLogger, type Logger } from '@commerce-supergraph/shared/logging';
import { createContextFunction, type GatewayContext } from './auth.js';
import { TrustedProxies } from './client-address.js';
import type { GatewayConfig } from './config.js';
import { ForwardingDataSource } from './data-source.js';
import { createGatewayErrorFormatter, errorLoggingPlugin } from './errors.js';
import { guardGateway } from './executor.js';
import { createLimits } from './limits.js';
import { createPersistedDocuments, readManifest } from './safelist.js';
import { createSubgraphConnections, type SubgraphConnections } from './subgraph-connections.js';
import { subgraphReadiness } from './subgraph-readiness.js';

export interface Gateway {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  log?: Logger;
}

/** The one public endpoint: an Apollo gateway on the static supergraph, behind the shared HTTP server. */
export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const log = options.log ?? createLogger('gateway');
  // Revoked tokens are refused here already, from memory: a map fed from NATS (revocation-feed.ts).
  const feed = new RevocationFeed({ natsUrl: config.natsUrl, service: 'gateway', log });
  const tokens = withRevocations(createTokenVerifier(config.jwt), feed.revocations);
  /** Filled as the gateway builds its data sources: the URL each subgraph is really reached at. */
  const subgraphs = new Map<string, string>();
  /** The keep-alive pool of each subgraph, by name: its GraphQL fetches and its readiness probe. */
  const connections = new Map<string, SubgraphConnections>();
  let schemaLoaded = false;
  let apollo: ApolloServer<GatewayContext> | undefined;
  let running: RunningServer | undefined;

  async function start(): Promise<{ url: string; port: number }> {
    for (const name of config.devDefaultsUsed) log.warn({ variable: name }, 'using the development default');
    feed.start();
    if (!(await feed.whenReady(REVOCATIONS_READY_MS))) {
      log.warn({ waitedMs: REVOCATIONS_READY_MS }, 'token revocations not read yet (NATS away); serving meanwhile');
    }
    const gateway = new ApolloGateway({
      supergraphSdl: await readSupergraph(config.supergraphPath),
      logger: log,
      buildService: ({ name, url }) => {
        const target = config.subgraphUrls[name] ?? url;
        if (!target) throw new Error(`Subgraph "${name}" has no routing URL in the supergraph and no override`);
        subgraphs.set(name, target);
        const pool = createSubgraphConnections(target, { keepAliveMs: config.subgraphKeepAliveMs, log });
        connections.set(name, pool);
        return new ForwardingDataSource({
          name,
          url: target,
          gatewaySecret: config.gatewaySecret,
          fetcher: pool.fetcher,
          retryAfterSeconds: config.retryAfterSeconds,
        });
      },
    });
    gateway.onSchemaLoadOrUpdate(() => {
      schemaLoaded = true;
    });
    const limits = createLimits(config.limits);
    const persisted = createPersistedDocuments<GatewayContext>(
      await readManifest(config.persistedDocuments.manifestPath),
      { safelist: config.persistedDocuments.safelist, introspection: config.introspection, log },
    );
    apollo = new ApolloServer<GatewayContext>({
      // Client mistakes the query planner would answer with HTTP 500 are answered as such (executor.ts).
      gateway: guardGateway(gateway),
      logger: log,
      nodeEnv: config.production ? 'production' : 'development',
      parseOptions: limits.parseOptions,
      validationRules: limits.validationRules,
      validationOptions: REQUEST_VALIDATION_OPTIONS,
      formatError: createGatewayErrorFormatter(config.production),
      includeStacktraceInErrorResponses: !config.production,
      hideSchemaDetailsFromClientErrors: true,
      introspection: config.introspection,
      csrfPrevention: true,
      allowBatchedHttpRequests: false,
      // The frontends' operations by id, and with GATEWAY_SAFELIST only them (safelist.ts).
      persistedQueries: persisted.persistedQueries,
      // index.ts owns the process signals, so stopping has one order: HTTP server first, then Apollo.
      stopOnTerminationSignals: false,
      plugins: [
        persisted.plugin,
        errorLoggingPlugin(),
        ...requestErrorPlugins<GatewayContext>(),
        config.introspection ? ApolloServerPluginLandingPageLocalDefault() : ApolloServerPluginLandingPageDisabled(),
      ],
    });
    persisted.attach(apollo);
    await apollo.start();
    const server = createGraphQLHttpServer({
      apollo,
      log,
      context: createContextFunction(tokens, new TrustedProxies(config.trustedProxies)),
      readiness: {
        supergraph: async () => {
          if (!schemaLoaded) throw new Error('the supergraph is not loaded');
        },
        // A subgraph's own `/ready` (its database), asked within 1 s: the gateway is only as ready as what it routes to.
        ...Object.fromEntries(
          [...connections].map(([name, pool]) => [`subgraph:${name}`, subgraphReadiness((ms) => pool.probe(ms))]),
        ),
      },
    });
    running = await listen(server, config.port);
    log.info(
      {
        url: running.url,
        subgraphs: Object.fromEntries(subgraphs),
        jwtKeyIds: config.jwt.publicKeys.map((key) => key.kid),
      },
      'gateway ready',
    );
    return { url: running.url, port: running.port };
  }

  async function stop(): Promise<void> {
    await running?.close();
    await apollo?.stop();
    await Promise.all([...connections.values()].map((pool) => pool.close()));
    connections.clear();
    await feed.stop();
    running = undefined;
    apollo = undefined;
  }

  return { start, stop };
}

async function readSupergraph(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the supergraph at ${path} (run \`npm run compose\`): ${(error as Error).message}`);
  }
}
