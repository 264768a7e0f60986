import { GATEWAY_SECRET_HEADER } from '@commerce-supergraph/shared/auth/gateway-secret';

export interface GraphQLResponse<TData = Record<string, any>> {
  status: number;
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  headers: Headers;
}

export interface PostOptions {
  token?: string;
  /** Sent as the gateway secret: what a test does when it calls a subgraph directly. */
  gatewaySecret?: string;
  headers?: Record<string, string>;
}

/** Posts one GraphQL operation the way a frontend (or the gateway) does. */
export async function postGraphQL<TData = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: PostOptions = {},
): Promise<GraphQLResponse<TData>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.gatewaySecret) headers[GATEWAY_SECRET_HEADER] = options.gatewaySecret;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const text = await response.text();
  let body: { data?: TData | null; errors?: GraphQLResponse['errors'] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Not a JSON response (HTTP ${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, ...body };
}

/** The codes of a response's errors, for assertions like `expect(codes(res)).toEqual(['FORBIDDEN'])`. */
export const errorCodes = (response: GraphQLResponse): string[] =>
  (response.errors ?? []).map((error) => String(error.extensions?.code));
