import { javascript, typescript } from 'projen';

const SHARED_CRDS = '../shared/crds';
const SHARED_SCHEMAS = '../shared/schemas';

/**
 * CRDs that `npx projen import` turns into typed bindings under imports/.
 * Kubernetes core types come from cdk8s-plus-28 (`import { k8s } from 'cdk8s-plus-28'`),
 * because `cdk8s import k8s` needs the internet.
 */
const CRD_IMPORTS: Record<string, string> = {
  'kubevirt': 'kubevirt/kubevirt.io_virtualmachines.yaml',
  'kubevirt-operator': 'kubevirt/kubevirt.io_kubevirts.yaml',
  'cdi': 'cdi/cdi.kubevirt.io_datavolumes.yaml',
  'cdi-operator': 'cdi/cdi.cdi.kubevirt.io_cdis.yaml',
  'flux-source': 'flux/source.toolkit.fluxcd.io_gitrepositories.yaml',
  'flux-kustomize': 'flux/kustomize.toolkit.fluxcd.io_kustomizations.yaml',
  'fleet-gitrepo': 'fleet/fleet.cattle.io_gitrepos.yaml',
  'fleet-cluster': 'fleet/fleet.cattle.io_clusters.yaml',
  'fleet-clustergroup': 'fleet/fleet.cattle.io_clustergroups.yaml',
};

const project = new typescript.TypeScriptProject({
  name: 'edgefleet',
  description: 'Define a fleet of store edge clusters in TypeScript and synthesize a per-store GitOps tree for Flux.',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.12.0',

  // The customer's layout: library in lib/, fleet in stores/, bindings in imports/, output in dist/.
  srcdir: 'lib',
  libdir: 'build',
  testdir: 'test',
  entrypoint: 'build/lib/index.js',
  entrypointTypes: 'build/lib/index.d.ts',
  tsconfig: {
    include: ['stores/**/*.ts', 'imports/**/*.ts', 'bench/**/*.ts'],
    compilerOptions: {
      rootDir: '.',
      outDir: 'build',
      skipLibCheck: true,
    },
  },
  tsconfigDev: {
    include: ['stores/**/*.ts', 'imports/**/*.ts', 'bench/**/*.ts'],
    compilerOptions: { skipLibCheck: true },
  },

  // uuid 11: name-based (v5) UUIDs for VM identities; from 12 on it ships ES modules only, which the CommonJS build cannot load.
  deps: ['cdk8s', 'cdk8s-plus-28', 'constructs', 'yaml', 'js-yaml', 'csv-parse', 'ajv', 'uuid@^11'],
  devDeps: ['cdk8s-cli', 'ts-node', '@types/js-yaml'],
  bin: { edgefleet: 'bin/edgefleet' },

  github: false,
  release: false,
  eslint: false,
  package: false,
  sampleCode: false,
  jest: true,
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      collectCoverage: false,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      coverageReporters: ['text-summary'],
    },
  },
  gitignore: ['/build', '/.bench', '/.e2e', '*.tsbuildinfo'],
});

// projen ignores /lib and /dist by default; here lib/ is source and dist/ is the committed GitOps tree.
project.gitignore.include('/lib', '/dist');
project.gitignore.removePatterns('/lib', '/dist', '/dist/');

project.gitattributes.addAttributes('/imports/**', 'linguist-generated');

project.addTask('import', {
  description: 'Regenerate imports/ from the upstream CRDs and schemas in ../shared (needs ../shared beside the checkout)',
  steps: [
    { exec: 'rm -rf imports' },
    // One file per CRD (the prefix names it): CRDs of one API group would otherwise overwrite each other.
    ...Object.entries(CRD_IMPORTS).map(([prefix, crd]) => ({
      exec: `cdk8s import ${prefix}:=${SHARED_CRDS}/${crd} --language typescript --output imports --no-check-upgrade`,
    })),
    // What `edgefleet validate` needs from the upstream JSON Schemas, reduced to validation keywords.
    { exec: `ts-node --project projenrc/tsconfig.json projenrc/generate-schemas.ts ${SHARED_SCHEMAS} imports/schemas` },
  ],
});

project.addTask('synth', {
  description: 'Synthesize dist/ from the fleet defined in stores/',
  steps: [
    { spawn: 'compile' },
    { exec: 'node bin/edgefleet synth', receiveArgs: true },
  ],
});

project.addTask('e2e', {
  description: 'End-to-end suite: real etcd, kube-apiserver, kube-controller-manager and Flux controllers (built once from the Go module proxy) act on the synthesized tree',
  steps: [{ exec: 'jest --config e2e/jest.config.json --runInBand', receiveArgs: true }],
});

project.addTask('bench', {
  description: 'Measure synth time and peak memory for the example fleet and a generated 1,000-store fleet',
  steps: [
    { spawn: 'compile' },
    { exec: 'node build/bench/synth-bench.js' },
  ],
});

project.addTask('bench:diff', {
  description: 'Time edgefleet diff on a generated 10,000-store fleet after a ring promotion',
  steps: [
    { spawn: 'compile' },
    { exec: 'node build/bench/diff-bench.js', receiveArgs: true },
  ],
});

project.synth();
