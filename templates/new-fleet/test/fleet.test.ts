import * as path from 'path';
import { outdatedFiles, readStoreInventory, renderFleet } from 'edgefleet';
import { INVENTORY, buildFleet } from '../stores';

const DIST = path.join(__dirname, '..', 'dist');
const files = renderFleet(buildFleet());

describe('the fleet', () => {
  test('GIVEN the inventory WHEN synthesized THEN every store has its folder', () => {
    const ids = readStoreInventory(INVENTORY).map((row) => row.values.id);
    const folders = new Set([...files.keys()].filter((f) => f.startsWith('stores/')).map((f) => f.split('/')[1]));
    expect([...folders].sort()).toEqual([...ids].sort());
  });

  test('GIVEN stores/ WHEN synthesized now THEN the committed dist/ is identical (run "npm run synth" and commit when this fails)', () => {
    expect(outdatedFiles(files, DIST)).toEqual({ writes: [], deletes: [] });
  });
});
