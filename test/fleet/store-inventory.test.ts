import * as fs from 'fs';
import * as path from 'path';
import { readStoreInventory } from '../../lib';
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
    const rows = readStoreInventory(file, { requiredColumns: ['id', 'region'] });

    // THEN
    expect(rows).toEqual([
      { line: 3, values: { id: 'store-001', region: 'eu-west' } },
      { line: 5, values: { id: 'store-002', region: 'us-east' } },
    ]);
  });

  test('GIVEN a row with a missing field WHEN read THEN the error names the file and line', () => {
    const file = inventory('id,region,city\nstore-001,eu-west,paris\nstore-002,eu-west\n');
    expect(() => readStoreInventory(file)).toThrow(`${file} line 3: the row has 2 fields but the header has 3 (check for a missing or extra comma)`);
  });

  test('GIVEN duplicate and malformed ids and an empty column WHEN read THEN every problem is reported with its line', () => {
    // GIVEN
    const file = inventory('id,region\nstore-001,eu-west\nStore 2,eu-west\nstore-001,us-east\nstore-004,\n');

    // WHEN
    const read = () => readStoreInventory(file, { requiredColumns: ['id', 'region'] });

    // THEN
    expect(read).toThrow('3 problems in the store inventory');
    expect(read).toThrow(`${file} line 3: id "Store 2" is not an RFC 1123 label`);
    expect(read).toThrow(`${file} line 4: id "store-001" is already used on line 2 (store ids must be unique)`);
    expect(read).toThrow(`${file} line 5: column "region" is empty (every store needs one)`);
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
