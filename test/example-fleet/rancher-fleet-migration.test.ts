import { readStoreInventory, renderFleet } from '../../lib';
import { isDerived } from '../../lib/diff/dist-diff';
import { INVENTORY, buildFleet } from '../../stores';
import { reachableClusters } from '../sync/fleet-targeting';

describe('the example fleet on Rancher Fleet', () => {
  const files = renderFleet(buildFleet());
  const fleetStores = [...files.keys()].filter((f) => f.endsWith('/fleet.yaml')).map((f) => f.split('/')[1]);

  test('GIVEN the us-east migration WHEN synthesized THEN 20 stores are on Fleet and each bundle reaches only its store', () => {
    expect(fleetStores).toHaveLength(20);
    for (const id of fleetStores) expect(reachableClusters(files, `dist/stores/${id}`)).toEqual([id]);
  });

  test("GIVEN stores moved to Fleet WHEN synthesized THEN the Flux stores' files are byte-identical to an all-Flux fleet", () => {
    const allFlux = renderFleet(
      buildFleet(readStoreInventory(INVENTORY).map((row) => ({ ...row, values: { ...row.values, sync_agent: '', api_endpoint: '' } }))),
    );
    const fluxStoreFiles = [...files].filter(([f]) => !f.startsWith('fleet/') && !isDerived(f) && !fleetStores.includes(f.split('/')[1]));
    expect(fluxStoreFiles.length).toBeGreaterThan(800);
    for (const [file, content] of fluxStoreFiles) expect([file, allFlux.get(file)]).toEqual([file, content]);
    expect([...allFlux.keys()].some((f) => f.startsWith('fleet/') || f.endsWith('/fleet.yaml'))).toBe(false);
  });

  test("GIVEN the Fleet stores' bundles WHEN measured THEN each is far below Fleet's 1 MB bundle limit", () => {
    const sizes = fleetStores.map((id) =>
      [...files].filter(([f]) => f.startsWith(`stores/${id}/`)).reduce((sum, [, c]) => sum + Buffer.byteLength(c), 0),
    );
    const largest = Math.max(...sizes);
    console.log(`largest Fleet store bundle: ${largest} bytes of manifests (Fleet's limit: about 1 MB compressed)`);
    expect(largest).toBeLessThan(64 * 1024);
  });
});
