import * as fs from 'fs';
import * as path from 'path';
import { InventoryColumn, readStoreInventory, typedInventoryRows } from '../../lib';
import { tempDir } from '../util';

function inventory(text: string): string {
  const file = path.join(tempDir(), 'inventory.csv');
  fs.writeFileSync(file, text);
  return file;
}

describe('readStoreInventory', () => {
  test('GIVEN a CSV with comments WHEN read THEN each row carries its values and its line number', () => {
    // GIVEN
    const file = inventory('# stores\nid,region\nstore-001,eu-west\n\nstore-002, us-east \n');

    // WHEN
    const rows = readStoreInventory(file);

    // THEN
    expect(rows).toEqual([
      { line: 3, values: { id: 'store-001', region: 'eu-west' } },
      { line: 5, values: { id: 'store-002', region: 'us-east' } },
    ]);
  });

  test('GIVEN a row with a missing field WHEN read THEN the error names the file, line and store', () => {
    const file = inventory('id,region,city\nstore-001,eu-west,paris\nstore-002,eu-west\n');
    expect(() => readStoreInventory(file)).toThrow(
      `${file} line 3: store "store-002": the row has 2 fields but the header has 3 (check for a missing or extra comma)`,
    );
  });

  test('GIVEN duplicate and malformed ids and an empty column WHEN read THEN every problem is reported with its line', () => {
    // GIVEN
    const file = inventory('id,region\nstore-001,eu-west\nStore 2,eu-west\nstore-001,us-east\nstore-004,\n');

    // WHEN
    const read = () => readStoreInventory(file, { columns: { region: InventoryColumn.text().required() } });

    // THEN
    expect(read).toThrow('3 problems in the store inventory');
    expect(read).toThrow(`${file} line 3: id "Store 2" is not an RFC 1123 label`);
    expect(read).toThrow(`${file} line 4: id "store-001" is already used on line 2 (store ids must be unique)`);
    expect(read).toThrow(`${file} line 5: store "store-004": column "region" is empty (every store needs one)`);
  });

  test('GIVEN a header without a required column WHEN read THEN the error lists the columns there are', () => {
    const file = inventory('store,region\nstore-001,eu-west\n');
    expect(() => readStoreInventory(file)).toThrow(`${file}: the header has no column "id" (the columns are "store", "region")`);
  });

  test('GIVEN a "#" inside a value WHEN read THEN the value is kept whole', () => {
    const rows = readStoreInventory(inventory('id,city\nstore-001,St John #2\n'));
    expect(rows[0].values.city).toBe('St John #2');
  });

  test('GIVEN a header without rows WHEN read THEN it says there are no stores', () => {
    const file = inventory('id,region\n');
    expect(() => readStoreInventory(file)).toThrow(`${file}: no stores (add a header row and one row per store)`);
  });

  test('GIVEN no file WHEN read THEN the error names the file', () => {
    expect(() => readStoreInventory('/nonexistent/inventory.csv')).toThrow('/nonexistent/inventory.csv: cannot read the store inventory (ENOENT)');
  });
});

describe('typed inventory columns', () => {
  const COLUMNS = {
    ring: InventoryColumn.oneOf(['canary', 'general']).required(),
    edge_app: InventoryColumn.yesNo().withDefault(false),
    sync_agent: InventoryColumn.oneOf(['flux', 'fleet']),
    node_memory: InventoryColumn.quantity(),
    pos_vcpus: InventoryColumn.integer(1),
    secret: InventoryColumn.dnsLabel(),
  };

  test('GIVEN well-formed values WHEN read with a schema THEN each column has its type, and empty cells their default', () => {
    // GIVEN
    const file = inventory(
      'id,ring,edge_app,sync_agent,node_memory,pos_vcpus,secret\nstore-001,canary,yes,fleet,16Gi,2,kc-001\nstore-002,general,,,,,\n',
    );

    // WHEN
    const rows = readStoreInventory(file, { columns: COLUMNS });

    // THEN
    expect(rows.map((r) => r.values)).toEqual([
      { id: 'store-001', ring: 'canary', edge_app: true, sync_agent: 'fleet', node_memory: '16Gi', pos_vcpus: 2, secret: 'kc-001' },
      { id: 'store-002', ring: 'general', edge_app: false, sync_agent: undefined, node_memory: undefined, pos_vcpus: undefined, secret: undefined },
    ]);
    const edgeApp: boolean = rows[0].values.edge_app;
    const agent: 'flux' | 'fleet' | undefined = rows[0].values.sync_agent;
    expect([edgeApp, agent]).toEqual([true, 'fleet']);
  });

  test(
    'GIVEN values outside what their columns accept WHEN read THEN every one is reported with file, line, column, value and the accepted ' + 'values',
    () => {
      // GIVEN: the typos that used to pass silently ("Fleet" made a Flux store, "Yes" dropped the Wasm app)
      const file = inventory(
        'id,ring,edge_app,sync_agent,node_memory,pos_vcpus,secret\nstore-001,canary,Yes,Fleet,16 GB,0,KC 1\nstore-002,beta,no,,,,\n',
      );

      // WHEN
      const read = () => readStoreInventory(file, { columns: COLUMNS });

      // THEN
      expect(read).toThrow(
        [
          '6 problems in the store inventory:',
          `  - ${file} line 2: store "store-001", column "edge_app": "Yes" is not accepted (use "yes" or "no")`,
          `  - ${file} line 2: store "store-001", column "sync_agent": "Fleet" is not accepted (use one of "flux", "fleet")`,
          `  - ${file} line 2: store "store-001", column "node_memory": "16 GB" is not accepted (use a Kubernetes quantity of more than 0, such ` +
            `as "16Gi")`,
          `  - ${file} line 2: store "store-001", column "pos_vcpus": "0" is not accepted (use a whole number of at least 1)`,
          `  - ${file} line 2: store "store-001", column "secret": "KC 1" is not accepted (use an RFC 1123 label (use at most 63 lower-case ` +
            `letters, digits and "-", starting and ending with a letter or digit, such as "store-001"))`,
          `  - ${file} line 3: store "store-002", column "ring": "beta" is not accepted (use one of "canary", "general")`,
        ].join('\n'),
      );
    },
  );

  test('GIVEN a header column the schema does not declare, or without a required one WHEN read THEN both are named', () => {
    const file = inventory('id,edge-app\nstore-001,yes\n');
    const read = () => readStoreInventory(file, { columns: { edge_app: InventoryColumn.yesNo(), ring: InventoryColumn.text().required() } });
    expect(read).toThrow(
      `${file}: the header has column "edge-app", which the inventory's schema does not declare (declare it in columns, or fix the name; ` +
        `declared: "id", "edge_app", "ring")`,
    );
    expect(read).toThrow(`${file}: the header has no column "ring" (every store needs one; the columns are "id", "edge-app")`);
  });

  test('GIVEN generated rows WHEN typed with the schema THEN they are checked like a file, missing optional columns empty', () => {
    expect(typedInventoryRows([{ line: 1, values: { id: 's1', ring: 'canary' } }], COLUMNS, 'generated')[0].values).toEqual({
      id: 's1',
      ring: 'canary',
      edge_app: false,
      sync_agent: undefined,
      node_memory: undefined,
      pos_vcpus: undefined,
      secret: undefined,
    });
    expect(() => typedInventoryRows([{ line: 2, values: { id: 's2', ring: 'general', edge_app: 'maybe' } }], COLUMNS, 'generated')).toThrow(
      'generated line 2: store "s2", column "edge_app": "maybe" is not accepted (use "yes" or "no")',
    );
  });
});
