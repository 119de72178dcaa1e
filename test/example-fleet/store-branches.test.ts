import { RELEASES, buildFleet } from '../../stores';
import { FleetGit } from '../publish/fleet-git';

describe('the example fleet on store branches', () => {
  test(
    "GIVEN every Flux store on its branch, published WHEN the POS OS candidate is promoted to the early ring THEN exactly the early Flux stores' " +
      'branches move, one commit each',
    () => {
      // GIVEN the example fleet with every store fetching from its own branch, synthesized, committed and published
      const onBranches = { source: 'store-branch' } as const;
      const repo = FleetGit.create();
      const fleet = buildFleet(undefined, RELEASES, onBranches);
      repo.release(fleet, 'The example fleet, on store branches');
      const first = repo.publish();
      // (the ap-south stores keep their region's OCI source)
      const fluxStores = fleet.stores.filter((s) => s.sync.agent === 'flux' && s.sync.source === 'store-branch');
      expect(first.updates).toHaveLength(fluxStores.length);
      const before = repo.branches();

      // WHEN 4.2.0 is promoted from canary through early (the worked promotion of docs/rings-and-diff.md), committed and published
      const promoted = { ...RELEASES, posOs: { ...RELEASES.posOs, candidate: { version: '4.2.0', throughRing: 'early' } } };
      repo.release(buildFleet(undefined, promoted, onBranches), 'POS OS 4.2.0 through early');
      const result = repo.publish();

      // THEN the branches that moved are exactly those of the early ring's Flux stores, each by one commit on its previous one
      const early = fluxStores.filter((s) => s.ring === 'early').map((s) => s.id);
      const after = repo.branches();
      const moved = [...after]
        .filter(([store, commit]) => before.get(store) !== commit)
        .map(([store]) => store)
        .sort();
      expect(early.length).toBeGreaterThan(0);
      expect(moved).toEqual(early);
      expect(result.updates.every((u) => u.from === before.get(u.store))).toBe(true);
      expect(result.unchanged).toBe(fluxStores.length - early.length);
    },
  );
});
