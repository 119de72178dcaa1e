import { buildFleet } from '../../stores';
import { bothWays, differences } from '../util';

describe('the example fleet, rendered fast', () => {
  test('GIVEN the example fleet WHEN rendered with the fast writer and resolve pass, and with js-yaml and cdk8s THEN every file is the same', () => {
    const { fast, reference } = bothWays(() => buildFleet());
    expect(fast.size).toBeGreaterThan(1000);
    expect(differences(fast, reference)).toEqual([]);
  });
});
