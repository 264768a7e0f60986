// The yardstick of `npm run bench:gateway`: a stock @apollo/gateway, as its documentation sets one
// up (plain ApolloServer + ApolloGateway, the default RemoteGraphQLDataSource and its default
// fetcher), on the same supergraph and subgraphs as ours. It adds only what the subgraphs require
// to answer at all: the gateway secret, and the caller's Authorization passed on.
// Environment: STOCK_GATEWAY_PORT, GATEWAY_SECRET, SUPERGRAPH_PATH, <NAME>_URL for every subgraph.
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

interface Context {
  authorization?: string;
}

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const secret = env('GATEWAY_SECRET');
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(env('SUPERGRAPH_PATH'), 'utf8'),
  buildService: ({ name }) =>
    new RemoteGraphQLDataSource<Context>({
      url: env(`${name.toUpperCase().replaceAll('-', '_')}_URL`),
      willSendRequest({ request, context }) {
        request.http?.headers.set('x-gateway-secret', secret);
        if (context.authorization) request.http?.headers.set('authorization', context.authorization);
      },
    }),
});
const server = new ApolloServer<Context>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(env('STOCK_GATEWAY_PORT')), host: '127.0.0.1' },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.log(`stock gateway ready at ${url}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
