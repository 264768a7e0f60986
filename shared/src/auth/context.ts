import type { Logger } from 'pino';
import { forbidden, unauthenticated } from '../graphql/errors.js';
import type { Viewer } from './jwt.js';

/** What every resolver gets: who is calling, from where, the request id and a logger that carries it. */
export interface RequestContext {
  viewer: Viewer | undefined;
  requestId: string;
  /** The end client's address as the gateway saw it, for per-client rate limits. */
  clientAddress: string;
  log: Logger;
}

export const isAdmin = (viewer: Viewer | undefined): boolean => viewer?.roles.includes('admin') ?? false;

export function requireViewer(ctx: RequestContext): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

export function requireAdmin(ctx: RequestContext): Viewer {
  const viewer = requireViewer(ctx);
  if (!isAdmin(viewer)) throw forbidden('Only an admin may do this');
  return viewer;
}

/** A customer reaches only their own records; an admin reaches everyone's. */
function canAccessCustomer(viewer: Viewer | undefined, customerId: string): boolean {
  return viewer !== undefined && (isAdmin(viewer) || viewer.customerId === customerId);
}

export function requireCustomerAccess(ctx: RequestContext, customerId: string): Viewer {
  const viewer = requireViewer(ctx);
  if (!canAccessCustomer(viewer, customerId)) throw forbidden("You may not access another customer's data");
  return viewer;
}
