import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { decryptedStandIn } from '../../lib/secrets/sops-metadata';
import { ControlPlane } from '../harness/control-plane';
import { installStorePlatform } from '../harness/store-cluster';
import { E2E_WORK, recordTiming } from '../harness/timings';

/** The committed example tree. */
const DIST = path.resolve(__dirname, '..', '..', 'dist');

/**
 * A store folder as its Flux applies it, as YAML: built by kustomize, each SOPS-encrypted Secret
 * decrypted (its values standing in, since the example's keys are test keys thrown away).
 */
function asFluxApplies(plane: ControlPlane, folder: string): string {
  const built = plane.kubectl.run(['kustomize', folder]);
  return YAML.parseAllDocuments(built)
    .map((d) => d.toJS())
    .filter((o) => o)
    .map((o) => YAML.stringify(decryptedStandIn(o)))
    .join('---\n');
}

describe('the whole example fleet', () => {
  let plane: ControlPlane;
  beforeAll(async () => {
    plane = await ControlPlane.start(path.join(E2E_WORK, 'example-fleet'));
    installStorePlatform(
      plane.kubectl,
      { localStorageClass: 'local-path', runtimeClasses: ['wasmedge'], runtimeClassSource: 'k3s', kubevirtNamespace: 'kubevirt' },
      ['kubevirt', 'cdi', 'fleet'],
    );
    // The namespaces the folders' objects live in must exist for a dry-run of those objects.
    for (const ns of ['edge', 'edgefleet-telemetry', 'flux-system', 'fleet-default']) plane.kubectl.spawn(['create', 'namespace', ns]);
  });
  afterAll(() => plane?.stop());

  test('every store, cluster and Fleet folder passes a server-side dry-run against the real API server', () => {
    const stores = fs.readdirSync(path.join(DIST, 'stores')).sort();
    const clusters = fs.existsSync(path.join(DIST, 'clusters')) ? fs.readdirSync(path.join(DIST, 'clusters')).sort() : [];
    expect(stores.length).toBeGreaterThan(0);
    const dryRuns: Array<[string, string[], string?]> = [
      ...stores.map((id): [string, string[], string] => [`stores/${id}`, ['-f', '-'], asFluxApplies(plane, path.join(DIST, 'stores', id))]),
      ...clusters.flatMap((id): Array<[string, string[]]> => {
        const folder = path.join(DIST, 'clusters', id);
        // Its objects, file by file: its kustomization.yaml (what flux-system applies) names them and flux-system/,
        // whose bootstrap placeholders only `flux bootstrap` fills in, so the folder is not built as a whole here.
        const layers = fs
          .readdirSync(folder)
          .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
          .flatMap((f) => ['-f', path.join(folder, f)]);
        return [
          [`clusters/${id}`, layers],
          [`clusters/${id}/flux-system`, ['-k', path.join(folder, 'flux-system')]],
        ];
      }),
      ...(fs.existsSync(path.join(DIST, 'fleet')) ? [['fleet', ['-k', path.join(DIST, 'fleet')]] as [string, string[]]] : []),
    ];
    const started = Date.now();
    const failures = dryRuns.flatMap(([folder, args, input]) => {
      const result = plane.kubectl.spawn(['apply', '--server-side', '--dry-run=server', '--force-conflicts', ...args], input);
      return result.status === 0 ? [] : [`${folder}: ${result.stderr.trim()}`];
    });
    recordTiming('example-fleet', `dry-run of ${dryRuns.length} folders (s)`, (Date.now() - started) / 1000);
    expect(failures).toEqual([]);
  });
});
