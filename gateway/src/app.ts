import { readFile } from 'node:fs/promises';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { createTokenVerifier } from '@commerce-supergraph/shared/auth/jwt';
import { REQUEST_VALIDATION_OPTIONS, requestErrorPlugins } from '@commerce-supergraph/shared/graphql/request-errors';
import { createGraphQLHttpServer, listen, type RunningServer } from '@commerce-supergraph/shared/http/server';
import { createLogger, type Logger } from '@commerce-supergraph/shared/logging';
import type { GraphQLSchema } from 'graphql';
import { createContextFunction, type GatewayContext } from './auth.js';
import { TrustedProxies } from './client-address.js';
import type { GatewayConfig } from './config.js';
import { ForwardingDataSource } from './data-source.js';
import { createGatewayErrorFormatter, errorLoggingPlugin } from './errors.js';
import { guardGateway } from './executor.js';
import { createLimits } from './limits.js';
import { createOrderFeed, type OrderFeed } from './live/feed.js';
import { withSubscriptions } from './live/sdl.js';
import { attachLiveServer } from './live/server.js';
import { createOrderSnapshot } from './live/snapshot.js';
import { createPersistedDocuments, readManifest } from './safelist.js';
import { createStaticFiles } from './static-files.js';
import { createSubgraphConnections, type SubgraphConnections } from './subgraph-connections.js';

export interface Gateway {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  log?: Logger;
}

const SUBGRAPH_READY_TIMEOUT_MS = 2000;

/** The one public endpoint: an Apollo gateway on the static supergraph, behind the shared HTTP server. */
export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const log = options.log ?? createLogger('gateway');
  const tokens = createTokenVerifier(config.jwt);
  /** Filled as the gateway builds its data sources: the URL each subgraph is really reached at. */
  const subgraphs = new Map<string, string>();
  /** The keep-alive pool of each subgraph, by name: its GraphQL fetches and its readiness probe. */
  const connections = new Map<string, SubgraphConnections>();
  let schemaLoaded = false;
  let apollo: ApolloServer<GatewayContext> | undefined;
  let running: RunningServer | undefined;
  let feed: OrderFeed | undefined;
  let live: ReturnType<typeof attachLiveServer> | undefined;
  /** The API schema plus the gateway's subscriptions: what graphql-ws validates and runs against. */
  let liveSchema: GraphQLSchema | undefined;

  async function start(): Promise<{ url: string; port: number }> {
    for (const name of config.devDefaultsUsed) log.warn({ variable: name }, 'using the development default');
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
    gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
      schemaLoaded = true;
      liveSchema = withSubscriptions(apiSchema);
    });
    const limits = createLimits(config.limits);
    const manifest = await readManifest(config.persistedDocuments.manifestPath);
    const persisted = createPersistedDocuments<GatewayContext>(manifest, {
      safelist: config.persistedDocuments.safelist,
      introspection: config.introspection,
      log,
    });
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
        // A subgraph's own `/ready` (its database and NATS): the gateway is only as ready as what it routes to.
        ...Object.fromEntries(
          [...connections].map(([name, pool]) => [`subgraph:${name}`, () => pool.probe(SUBGRAPH_READY_TIMEOUT_MS)]),
        ),
      },
      health: () => ({ liveOrders: feed?.isReady() ? 'connected' : 'connecting' }),
      fallback: config.storefrontDir ? createStaticFiles(config.storefrontDir) : undefined,
    });
    feed = createOrderFeed({ natsUrl: config.live.natsUrl, log: log.child({ part: 'live' }) });
    feed.start();
    live = attachLiveServer({
      server,
      schema: () => liveSchema,
      tokens,
      feed,
      snapshot: createOrderSnapshot(() => apollo, manifest, log),
      limits: config.live,
      production: config.production,
      log,
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
    // Live connections first: an open WebSocket would keep the HTTP server from closing.
    await live?.close();
    await feed?.close();
    await running?.close();
    await apollo?.stop();
    await Promise.all([...connections.values()].map((pool) => pool.close()));
    connections.clear();
    running = undefined;
    apollo = undefined;
    live = undefined;
    feed = undefined;
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
