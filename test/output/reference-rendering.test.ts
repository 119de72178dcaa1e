import { generatedFleet } from '../../bench/generated-fleet';
import { PLAIN_RESOLVE_APPLIES } from '../../lib/util/rendered-json';
import { bothWays, differences } from '../util';

describe('fast rendering is byte-identical to js-yaml and cdk8s', () => {
  test(
    'GIVEN the cdk8s version installed WHEN loaded THEN the cheap resolve pass applies (else check the new cdk8s code and update its ' + 'digest)',
    () => {
      expect(PLAIN_RESOLVE_APPLIES).toBe(true);
    },
  );

  test('GIVEN a generated 1,000-store fleet WHEN rendered both ways THEN every file is the same', () => {
    const { fast, reference } = bothWays(() => generatedFleet(1000));
    expect(fast.size).toBeGreaterThan(14_000);
    expect(differences(fast, reference)).toEqual([]);
  }, 300_000);
});
