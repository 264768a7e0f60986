import { GATEWAY_SECRET_HEADER } from '@commerce-supergraph/shared/auth/gateway-secret';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

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

/** The variables of an operation; `{}` may be left out where it has none. */
export type Variables = Record<string, unknown>;

/**
 * Posts one GraphQL operation the way a frontend (or the gateway) does: a typed document (what
 * `npm run codegen` generates for the frontends' operations), printed as its text, with its
 * variables and result typed by it; or a text, for requests no frontend sends.
 */
export async function postGraphQL<TData, TVariables extends Variables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  options?: PostOptions,
): Promise<GraphQLResponse<TData>>;
export async function postGraphQL<TData = Record<string, any>>(
  url: string,
  query: string,
  variables?: Variables,
  options?: PostOptions,
): Promise<GraphQLResponse<TData>>;
export async function postGraphQL(
  url: string,
  document: string | TypedDocumentNode<unknown, Variables>,
  variables: Variables = {},
  options: PostOptions = {},
): Promise<GraphQLResponse<unknown>> {
  const query = typeof document === 'string' ? document : printed(document);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.gatewaySecret) headers[GATEWAY_SECRET_HEADER] = options.gatewaySecret;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const text = await response.text();
  let body: { data?: unknown; errors?: GraphQLResponse['errors'] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Not a JSON response (HTTP ${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, ...body };
}

const texts = new WeakMap<object, string>();
/** Each document is printed once: tests send the same few operations many times. */
function printed(document: TypedDocumentNode<unknown, Variables>): string {
  let text = texts.get(document);
  if (text === undefined) {
    text = print(document);
    texts.set(document, text);
  }
  return text;
}

/** The codes of a response's errors, for assertions like `expect(codes(res)).toEqual(['FORBIDDEN'])`. */
export const errorCodes = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? []).map((error) => String(error.extensions?.code));
