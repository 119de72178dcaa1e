import { javascript, typescript } from 'projen';

const SHARED_CRDS = '../shared/crds';
const SHARED_SCHEMAS = '../shared/schemas';

/**
 * CRDs that `npx projen import` turns into typed bindings under imports/.
 * Kubernetes core types come from cdk8s-plus-28 (`import { k8s } from 'cdk8s-plus-28'`),
 * because `cdk8s import k8s` needs the internet.
 */
const CRD_IMPORTS: Record<string, string> = {
  kubevirt: 'kubevirt/kubevirt.io_virtualmachines.yaml',
  'kubevirt-operator': 'kubevirt/kubevirt.io_kubevirts.yaml',
  cdi: 'cdi/cdi.kubevirt.io_datavolumes.yaml',
  'cdi-operator': 'cdi/cdi.cdi.kubevirt.io_cdis.yaml',
  'flux-source': 'flux/source.toolkit.fluxcd.io_gitrepositories.yaml',
  'flux-source-oci': 'flux/source.toolkit.fluxcd.io_ocirepositories.yaml',
  'flux-kustomize': 'flux/kustomize.toolkit.fluxcd.io_kustomizations.yaml',
  'fleet-gitrepo': 'fleet/fleet.cattle.io_gitrepos.yaml',
  'fleet-cluster': 'fleet/fleet.cattle.io_clusters.yaml',
  'fleet-clustergroup': 'fleet/fleet.cattle.io_clustergroups.yaml',
};

/** How the example fleet, the snippets of the README and docs/ and the init template resolve `import ... from 'edgefleet'` here. */
const LIBRARY_PATH = { edgefleet: ['./lib'] };

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
      // The example fleet imports the library as any fleet does ('edgefleet'); here that is ./lib.
      paths: LIBRARY_PATH,
    },
  },
  tsconfigDev: {
    include: ['stores/**/*.ts', 'imports/**/*.ts', 'bench/**/*.ts'],
    compilerOptions: { skipLibCheck: true },
  },

  // uuid 11: name-based (v5) UUIDs for VM identities; from 12 on it ships ES modules only, which the CommonJS build cannot load.
  // tsx runs a fleet module written in TypeScript without a compile step (`edgefleet synth --fleet stores/index.ts`).
  // bech32 decodes age recipients (age1...), so that a mistyped store key is caught before sops or Flux meet it.
  deps: ['cdk8s', 'cdk8s-plus-28', 'constructs', 'yaml', 'js-yaml', 'csv-parse', 'ajv', 'uuid@^11', 'tsx', 'bech32@^2.0.0', 'tar-stream@^3.1.7'],
  // dependency-cruiser 17: the last major that runs on Node.js 20 (18 needs 22). It checks the layers of lib/ (.dependency-cruiser.cjs).
  // API Extractor keeps the public API report (api/edgefleet.api.md); TypeDoc builds the API reference (docs/api/).
  devDeps: ['cdk8s-cli', 'ts-node', '@types/js-yaml', '@types/tar-stream', 'dependency-cruiser@^17', '@microsoft/api-extractor', 'typedoc'],
  bin: { edgefleet: 'bin/edgefleet' },

  github: false,
  release: false,
  // ESLint with projen's TypeScript rules, Prettier as the formatter (150 columns, as projen's max-len).
  // `npm test` checks; `npx projen format` rewrites the files.
  eslint: true,
  eslintOptions: {
    dirs: ['lib'],
    devdirs: ['test', 'bench', 'e2e', 'projenrc', 'stores'],
    projectService: true,
    commandOptions: { fix: false, extraArgs: ['--max-warnings=0'] },
    ignorePatterns: ['*.js', '*.d.ts', 'node_modules/', 'imports/', 'build/', 'templates/', 'dist/'],
  },
  prettier: true,
  prettierOptions: {
    settings: { printWidth: 150, singleQuote: true, trailingComma: javascript.TrailingComma.ALL, arrowParens: javascript.ArrowParens.ALWAYS },
    // Written by sops, projen and synth: formatting them by hand would rewrite what their tools own.
    ignoreFileOptions: { ignorePatterns: ['/test/fixtures/secrets/', '/dist/', '/secrets/', 'tsconfig*.json', '/.projen/'] },
  },
  package: false,
  sampleCode: false,
  jest: true,
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      collectCoverage: false,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      coverageReporters: ['text-summary'],
      moduleNameMapper: { '^edgefleet$': '<rootDir>/lib' },
      // Tests that synthesize whole fleets take seconds, more on a loaded machine; a hang still fails.
      testTimeout: 120_000,
    },
  },
  gitignore: ['/build', '/.bench', '/.e2e', '*.tsbuildinfo', '/.edgefleet-cache', '/docs/api'],
});

// A fleet repository imports the library as 'edgefleet'; the package also resolves its own name (the example fleet).
project.package.addField('exports', {
  '.': { types: './build/lib/index.d.ts', default: './build/lib/index.js' },
  './package.json': './package.json',
});
// The package holds the compiled library, the CLI, the schemas, the template of `edgefleet init` and the
// guides, and nothing else: an allowlist, so that the example fleet, its secrets, the end-to-end suite and
// its state (.e2e/, hundreds of MB) or caches can never be published by accident. The guides ship because
// the package's README links to them (and a new fleet's README sends its team there): in node_modules and
// in a registry's README view the links would otherwise lead nowhere. Only their Markdown and images:
// anything else generated into docs/ later is left out until someone decides it belongs in the package.
project.package.addField('files', ['bin/', 'build/lib/', 'build/imports/', 'imports/schemas/', 'templates/', 'docs/*.md', 'docs/*.png']);

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

// The edit loop runs the TypeScript sources directly (bin/edgefleet uses tsx in a source checkout):
// no compile step, and no task runner in between (projen's own start-up would double the time).
project.package.setScript('synth', 'node bin/edgefleet synth');

// The full type check of lib/, stores/, imports/ and bench/ stays in `npm test`; it also refreshes build/.
project.testTask.prependSpawn(project.compileTask);
// The package ships build/: `npm pack` (and `npm publish`) compile it first, so that it is never missing or stale.
project.package.setScript('prepack', 'tsc --build');

project.addTask('e2e', {
  description:
    'End-to-end suite: real etcd, kube-apiserver, kube-controller-manager and Flux controllers (built once from the Go module proxy) act on ' +
    'the synthesized tree',
  steps: [{ exec: 'jest --config e2e/jest.config.json', receiveArgs: true }],
});
project.addTask('e2e:prepare', {
  description: "The end-to-end suite's setup alone: the real node's Debian packages, and the upstream binaries built into the cache when missing",
  steps: [{ exec: 'tsx e2e/prepare.ts' }],
});

// Independent linters over dist/: kubeconform (strict, upstream schemas) and kube-score with the reviewed
// kube-score-waivers.yaml; builds both from the Go module proxy on the first run (e2e/build-linters.sh).
project.addTask('lint:tree', {
  description:
    'kubectl kustomize every store, dist/fleet and dist/clusters folder, then kubeconform -strict (Kubernetes 1.35 and ../shared CRD schemas) ' +
    'and kube-score over the objects; every finding fixed or waived in kube-score-waivers.yaml (docs/validate.md)',
  steps: [{ exec: 'tsx e2e/linters/lint-tree.ts', receiveArgs: true }],
});

/** A benchmark task: compiles, then runs the compiled scripts of bench/, in order, with the task's arguments. */
function addBenchTask(name: string, script: string | string[], description: string) {
  const scripts = [script].flat().map((s) => ({ exec: `node build/bench/${s}.js`, receiveArgs: true }));
  project.addTask(name, { description, steps: [{ spawn: 'compile' }, ...scripts] });
}

addBenchTask(
  'bench',
  'synth-bench',
  'Measure synth CPU time, wall time, peak memory and files written on generated fleets (npm run bench -- 1000 10000), beside a plain cdk8s app',
);
addBenchTask(
  'bench:diff',
  'diff-bench',
  'Measure edgefleet diff (CPU-seconds and wall) on a generated 10,000-store fleet after a ring promotion, beside git diff',
);
addBenchTask(
  'bench:validate',
  'validate-bench',
  'Measure edgefleet validate (CPU-seconds and wall) on generated fleets, beside parsing alone and the kustomize builds alone',
);
addBenchTask(
  'bench:publish',
  'publish-bench',
  'Time edgefleet publish on a generated 10,000-store fleet: first publish, nothing changed, one store, promotions to the early and the general ring',
);
addBenchTask(
  'bench:report',
  'report-bench',
  'Measure rendering the fleet report (Markdown and HTML) of generated fleets (npm run bench:report -- 1000 10000), beside 100 stores',
);
addBenchTask(
  'bench:hostile',
  'hostile-input-bench',
  'Time synth refusing each hostile input of the hostile-input test set (expanding YAML, non-regular Secret files, huge inputs, private keys)',
);
addBenchTask(
  'bench:downloads',
  ['store-downloads', 'oci-downloads'],
  'Bytes one store downloads per poll and per release, from main, its store branch or its OCI artifact (the real source-controller; needs ' +
    'npm run e2e:prepare), and publish --oci times, at 100 and 10,000 stores',
);

// The public API: lib/index.ts as API Extractor reads the compiled declarations. `npm test` fails when
// the committed report differs; `npx projen api` writes the new one, to commit with the change.
project.addTask('api', {
  description: 'Update the public API report api/edgefleet.api.md from lib/index.ts (commit it with the change)',
  steps: [{ spawn: 'compile' }, { exec: 'api-extractor run --local' }],
});
project.testTask.exec('api-extractor run', { name: 'public API report is current (npx projen api updates it)' });

// The API reference, generated from the JSDoc; `npm test` builds it without writing, failing on an
// undocumented export or a broken link.
project.addTask('docs:api', {
  description: 'Generate the API reference from the JSDoc into docs/api/ (open docs/api/index.html)',
  steps: [{ exec: 'typedoc' }],
});
project.testTask.exec('typedoc --emit none', { name: 'API reference builds with every export documented' });

// Prettier wraps code at 150 columns but not strings, comments or regular expressions: no line may pass 150 either.
project.eslint!.addRules({ 'max-len': ['error', { code: 150, ignoreUrls: true }] });

project.addTask('format', {
  description: 'Format and fix every TypeScript file as `npm test` checks it (ESLint with Prettier)',
  steps: [{ spawn: 'eslint', args: ['--fix'] }],
});

project.synth();
