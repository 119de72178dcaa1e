/**
 * The layers of lib/, bottom to top (issue: "layers that point one way"). A module may import from its
 * own layer and the layers below it, never from a layer above; no import circle anywhere, except the
 * type-only reference of EdgeStore to EdgeFleet (as cdk8s's Chart to App). `npm test` runs this check
 * (test/layering.test.ts), which also shows that it fails on a planted upward import.
 */
const LAYERS = [
  ['util', 'errors', 'prop-checks'], // utilities, errors, checks of single prop values
  ['model'], // the fleet's and a store's settings, the contract the rest is typed against, the dist/ layout
  ['platform', 'policies', 'secrets', 'releases'], // what a store's workloads need and must obey
  ['workloads', 'sync', 'telemetry'], // the constructs that run in a store and sync it
  ['planner'], // does the store fit its node
  ['synth', 'report', 'publish'], // the pipeline: build, check, render and write the tree; report it; publish it
  ['fleet'], // EdgeFleet and EdgeStore: the composition root
  ['validate', 'diff'], // reading a synthesized tree back
  ['cli'],
];

const folders = (layers) => `^lib/(${layers.flat().join('|')})/`;

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.join('-')}`,
  comment: `${layer.join(', ')} may not import from the layers above it (${LAYERS.slice(i + 1).flat().join(', ')})`,
  severity: 'error',
  from: { path: folders([layer]) },
  to: { path: folders(LAYERS.slice(i + 1)) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'no import circle in lib/, other than the type-only one between EdgeFleet and EdgeStore',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true, viaSomeNot: '^lib/fleet/edge-(fleet|store)\\.ts$' },
    },
    {
      name: 'fleet-classes-type-only',
      comment: 'EdgeStore refers to EdgeFleet as a type only (EdgeFleet builds EdgeStores)',
      severity: 'error',
      from: { path: '^lib/fleet/edge-store\\.ts$' },
      to: { path: '^lib/fleet/edge-fleet\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'library-only',
      comment: 'the library knows nothing of the example fleet, the benchmarks, the tests or the end-to-end suite',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(stores|bench|test|e2e)/' },
    },
    {
      name: 'index-on-top',
      comment: 'lib/index.ts is the public API: nothing in lib/ imports it',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^lib/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
