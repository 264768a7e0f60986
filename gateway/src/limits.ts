import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { GraphQLError, type ParseOptions, type ValidationRule } from 'graphql';
import { maxAliasesRule } from './alias-limit.js';
import type { GatewayLimits } from './config.js';

export interface LimitOptions {
  parseOptions: ParseOptions;
  validationRules: ValidationRule[];
}

/**
 * The ApolloServer options that enforce the limits. Every one fails parsing or validation, which
 * Apollo answers with HTTP 400 before the gateway plans a query, so no subgraph is ever called.
 * Only armor's validation rules are used: its plugin-based protections are the disabled ones.
 */
export function createLimits(limits: GatewayLimits): LimitOptions {
  const callbacks = { propagateOnRejection: false, onReject: [reportRejection] };
  const armor = new ApolloArmor({
    // Fragments are a way of writing a selection, not a level of it: only field nesting counts.
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ...callbacks },
    costLimit: { maxCost: limits.maxCost, flattenFragments: true, ...callbacks },
    maxDirectives: { n: limits.maxDirectives, ...callbacks },
    // Exempts `__typename`; replaced by maxAliasesRule, which counts every alias.
    maxAliases: { enabled: false },
    // Armor throws from a plugin hook, which Apollo answers with 500; graphql's parser enforces the
    // same limit itself and fails as a syntax error (400).
    maxTokens: { enabled: false },
    // Only masks `Did you mean "x"` in some errors; the error formatter strips every suggestion.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [...armor.validationRules, maxAliasesRule(limits.maxAliases)],
  };
}

/** Armor prefixes its messages with "Syntax Error:", which a validation error is not. */
const reportRejection: GraphQLArmorRejectCallback = (context, error) => {
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
};
