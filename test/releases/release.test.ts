import * as fs from 'fs';
import * as path from 'path';
import { EdgeMonitor, EdgeStore, FleetValidationError, Release, renderFleet, synthesize } from '../../lib';
import { snapshotDir, tempDir, testFleet } from '../util';

const RINGS = ['canary', 'early', 'general'];

function ringedFleet(max?: number) {
  const fleet = testFleet({ rings: RINGS, maxStoresChangedOutsideFirstRing: max });
  const store = (id: string, ring: string, region = 'eu-west') => new EdgeStore(fleet, id, { labels: { ring, region } });
  return { fleet, store };
}

describe('Release', () => {
  test('GIVEN a candidate through canary WHEN resolved THEN canary runs it and later rings run stable', () => {
    // GIVEN
    const { fleet, store } = ringedFleet();
    const canary = store('s1', 'canary');
    const early = store('s2', 'early');
    const general = store('s3', 'general');

    // WHEN
    const release = new Release(fleet, 'pos', { stable: '4.1.0', candidate: { version: '4.2.0', throughRing: 'canary' } });

    // THEN
    expect([canary, early, general].map((s) => release.versionFor(s))).toEqual(['4.2.0', '4.1.0', '4.1.0']);
  });

  test(
    'GIVEN a store pin and a region pin with a typo WHEN synthesized THEN synth names each pin and what it could be, rather than leaving the ' +
      "store on the ring's version",
    () => {
      // GIVEN
      const { fleet } = ringedFleet();
      const release = new Release(fleet, 'edge-monitor', { stable: '1.4.2', regions: { 'eu-wset': '1.4.1' }, stores: { 'store-420': '1.4.1' } });
      fleet.addStores(['store-042', 'store-043'], (f, id) => {
        const store = new EdgeStore(f, id, { labels: { ring: 'general', region: id === 'store-042' ? 'eu-west' : 'us-east' } });
        new EdgeMonitor(store, 'edge-monitor', { image: `registry.example.com/edge-monitor:${release.versionFor(store)}` });
        return store;
      });

      // WHEN
      let problems: string[] = [];
      try {
        renderFleet(fleet);
      } catch (e) {
        problems = (e as FleetValidationError).problems;
      }

      // THEN
      expect(problems).toEqual([
        'Release "edge-monitor": stores pin "store-420" names no store of the fleet (use the id of one of its stores, such as "store-042", or ' +
          'remove the pin)',
        'Release "edge-monitor": regions pin "eu-wset" names no region of the fleet\'s stores (they are in "eu-west", "us-east"; fix the pin or ' +
          'remove it)',
      ]);
    },
  );

  test('GIVEN pins that name a store and a region of the fleet WHEN synthesized THEN they are accepted', () => {
    const { fleet, store } = ringedFleet();
    const release = new Release(fleet, 'edge-monitor', { stable: '1.4.2', regions: { 'us-east': '1.4.1' }, stores: { s1: '1.4.0' } });
    for (const s of [store('s1', 'general'), store('s2', 'general', 'us-east')]) {
      new EdgeMonitor(s, 'edge-monitor', { image: `registry.example.com/edge-monitor:${release.versionFor(s)}` });
    }
    expect(renderFleet(fleet).get('stores/s1/workloads/edge-monitor.yaml')).toContain('edge-monitor:1.4.0');
  });

  test('GIVEN the pin moved one ring further WHEN resolved THEN that ring joins', () => {
    const { fleet, store } = ringedFleet();
    const stores = [store('s1', 'canary'), store('s2', 'early'), store('s3', 'general')];
    const release = new Release(fleet, 'pos', { stable: '4.1.0', candidate: { version: '4.2.0', throughRing: 'early' } });
    expect(stores.map((s) => release.versionFor(s))).toEqual(['4.2.0', '4.2.0', '4.1.0']);
  });

  test('GIVEN ring, region and store pins WHEN resolved THEN a store pin beats a region pin, which beats the ring', () => {
    // GIVEN
    const { fleet, store } = ringedFleet();
    const pinnedStore = store('s1', 'canary', 'us-east');
    const pinnedRegion = store('s2', 'canary', 'us-east');
    const ringOnly = store('s3', 'canary', 'eu-west');

    // WHEN
    const release = new Release(fleet, 'pos', {
      stable: '4.1.0',
      candidate: { version: '4.2.0', throughRing: 'general' },
      regions: { 'us-east': '4.1.5' },
      stores: { s1: '4.0.9' },
    });

    // THEN
    expect([pinnedStore, pinnedRegion, ringOnly].map((s) => release.versionFor(s))).toEqual(['4.0.9', '4.1.5', '4.2.0']);
  });

  test.each([
    [
      { stable: '4.1.0', candidate: { version: '4.2.0', throughRing: 'beta' } },
      'Release "pos": candidate.throughRing "beta" is not one of the fleet\'s rings (use one of "canary", "early", "general")',
    ],
    [{ stable: '4.1 final' }, 'Release "pos": version "4.1 final" is not a version or image tag'],
  ])('GIVEN bad release props %j WHEN created THEN it fails clearly', (props, message) => {
    expect(() => new Release(ringedFleet().fleet, 'pos', props)).toThrow(message);
  });

  test("GIVEN a store whose ring is not one of the fleet's WHEN created THEN it fails naming the rings", () => {
    expect(() => ringedFleet().store('s1', 'beta')).toThrow(
      'store "s1": labels "ring" value "beta" is not one of the fleet\'s rings (use one of "canary", "early", "general")',
    );
  });
});

describe('blast-radius guard in synth', () => {
  function synthWith(version: (ring: string) => string, outdir: string, max: number, allowWideChange = false) {
    const { fleet, store } = ringedFleet(max);
    for (const [id, ring] of [
      ['s1', 'canary'],
      ['s2', 'early'],
      ['s3', 'early'],
      ['s4', 'general'],
    ]) {
      new EdgeMonitor(store(id, ring), 'edge-monitor', { image: `registry.example.com/edge-monitor:${version(ring)}` });
    }
    return synthesize(fleet, { outdir, allowWideChange });
  }

  test('GIVEN a change within the limit WHEN synthesized THEN it is written', () => {
    const outdir = tempDir();
    synthWith(() => '1.0.0', outdir, 2);
    const written = synthWith((r) => (r === 'general' ? '1.0.0' : '1.1.0'), outdir, 2).written;
    expect(written.filter((f) => f.endsWith('edge-monitor.yaml'))).toEqual([
      'stores/s1/workloads/edge-monitor.yaml',
      'stores/s2/workloads/edge-monitor.yaml',
      'stores/s3/workloads/edge-monitor.yaml',
    ]);
  });

  test('GIVEN a change to more stores outside the first ring than allowed WHEN synthesized THEN it fails naming them and dist/ stays', () => {
    // GIVEN
    const outdir = tempDir();
    synthWith(() => '1.0.0', outdir, 2);
    const before = snapshotDir(outdir);

    // WHEN
    const run = () => synthWith(() => '1.1.0', outdir, 2);

    // THEN
    expect(run).toThrow(
      'blast-radius guard: this change touches 3 existing stores outside the first ring "canary", more than the 2 allowed: s2 (early), s3 ' +
        '(early), s4 (general). Promote one ring at a time, or, if this is intended, run again with --allow-wide-change.',
    );
    expect(snapshotDir(outdir)).toEqual(before);
  });

  test('GIVEN the override WHEN synthesized THEN the wide change is written', () => {
    const outdir = tempDir();
    synthWith(() => '1.0.0', outdir, 2);
    expect(synthWith(() => '1.1.0', outdir, 2, true).written.filter((f) => f.endsWith('edge-monitor.yaml'))).toHaveLength(4);
    expect(fs.readFileSync(path.join(outdir, 'stores/s4/workloads/edge-monitor.yaml'), 'utf8')).toContain('edge-monitor:1.1.0');
  });
});
