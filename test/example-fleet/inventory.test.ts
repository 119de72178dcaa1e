import { readStoreInventory } from '../../lib';
import { INVENTORY, buildFleet } from '../../stores';

// Messages name the inventory relative to the working folder, the repository root under jest.

/** The example inventory's rows with one cell of one store changed. */
function rowsWith(id: string, column: string, value: string) {
  return readStoreInventory(INVENTORY).map((row) => (row.values.id === id ? { ...row, values: { ...row.values, [column]: value } } : row));
}

describe('the example inventory', () => {
  test.each([
    ['sync_agent', 'Fleet', 'one of "flux", "fleet"'],
    ['edge_app', 'Yes', '"yes" or "no"'],
    ['ring', 'Early', 'one of "canary", "early", "general"'],
    ['node_memory', '16 GB', 'a Kubernetes quantity of more than 0, such as "16Gi"'],
    ['node_memory', '-8Gi', 'a Kubernetes quantity of more than 0, such as "16Gi"'],
  ])('GIVEN %s "%s" WHEN the fleet is built THEN it stops, naming file, line, column, value and the accepted values', (column, value, accepted) => {
    // GIVEN
    const rows = rowsWith('store-057', column, value);
    const line = rows.find((r) => r.values.id === 'store-057')!.line;

    // WHEN / THEN
    expect(() => buildFleet(rows)).toThrow(
      `stores/inventory.csv line ${line}: store "store-057", column "${column}": "${value}" is not accepted (use ${accepted})`,
    );
  });

  test('GIVEN blank optional cells WHEN the fleet is built THEN the fleet defaults apply', () => {
    const fleet = buildFleet(rowsWith('store-057', 'sync_agent', ''));
    expect(fleet.stores.find((s) => s.id === 'store-057')!.sync.agent).toBe('flux');
  });
});
