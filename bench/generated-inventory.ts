import { InventoryRow } from '../lib';

const REGIONS = ['eu-west', 'eu-central', 'us-east', 'ap-south'];

/** A fleet like the example one, `count` stores long. */
export function generatedInventory(count: number): InventoryRow[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    return {
      line: n + 1,
      values: {
        id: `store-${String(n).padStart(width, '0')}`,
        region: REGIONS[i % REGIONS.length],
        city: `city-${i % 50}`,
        ring: n % 25 === 1 ? 'canary' : n % 5 === 0 ? 'early' : 'general',
        edge_app: n % 3 === 0 ? 'yes' : 'no',
        node_memory: '',
      },
    };
  });
}

