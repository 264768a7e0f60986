/**
 * The module boundaries `npm run lint` keeps (docs/architecture.md, Repository layout): subgraphs
 * talk to each other only through the supergraph and events, never through code; an event contract
 * is a plain shape that depends on nothing of its service; shared machinery knows no service.
 */
module.exports = {
  forbidden: [
    {
      name: 'subgraphs-stay-apart',
      comment: 'A subgraph never imports another subgraph: it keeps its own copy of what it consumes.',
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/' },
      to: { path: '^subgraphs/', pathNot: '^subgraphs/$1/' },
    },
    {
      name: 'contracts-stand-alone',
      comment:
        'An event contract imports only shared machinery and other contracts: never the domain, handlers or entities.',
      severity: 'error',
      from: { path: '^subgraphs/[^/]+/src/events/contracts/' },
      to: { path: '^subgraphs/[^/]+/src/', pathNot: '^subgraphs/[^/]+/src/events/contracts/' },
    },
    {
      name: 'domain-knows-no-transport',
      comment: 'Business rules call no resolver and no event handler; those call the domain.',
      severity: 'error',
      from: { path: '^subgraphs/[^/]+/src/domain/' },
      to: { path: '^subgraphs/[^/]+/src/(schema|events/handlers)/' },
    },
    {
      name: 'shared-knows-no-service',
      comment: 'shared/ is machinery every service uses; it never imports a subgraph, the gateway or the tests.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(subgraphs|gateway|e2e)/' },
    },
    {
      name: 'no-cycles',
      comment: 'Modules that import each other cannot be understood, or changed, one at a time.',
      severity: 'error',
      from: { path: '^(shared|gateway|subgraphs)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
};
