import type { UserError } from './errors.js';

/**
 * Builds a mutation payload that carries only user errors: its main field stays null, as the API
 * contract says. Every subgraph's payload classes default the main field to null and the errors to [].
 */
export const failed = <T extends { userErrors: UserError[] }>(payload: T, userErrors: UserError[]): T =>
  Object.assign(payload, { userErrors });
