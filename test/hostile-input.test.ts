/*
 * The hostile-input set (issue 21): each input, planted in a synthesized fleet repository, ends synth
 * with a clear, bounded message that shows no key material, and dist/ as it was. Synth runs as its own
 * process, killed when it runs out of time, so that a hang (a FIFO read, a device read for ever) fails
 * the case rather than the test run. How long each case takes: `npm run bench:hostile`.
 */
import * as path from 'path';
import { snapshotDir } from './util';
import { HOSTILE_CASES, HostileRepo, KEY_MATERIAL } from '../bench/hostile-inputs';

/** Longest message a case may print: a few lines that name the file or cell, the problem and the fix. */
const MESSAGE_BOUND = 2000;

describe('hostile input', () => {
  let synthesized: HostileRepo;
  beforeAll(() => {
    synthesized = HostileRepo.synthesized();
  }, 60_000);

  test.each(HOSTILE_CASES.map((c) => [c.name, c] as const))(
    'GIVEN %s WHEN synthesized THEN synth stops with a clear, bounded message without key material, and dist/ stays as it was',
    (_, hostile) => {
      // GIVEN
      const repo = synthesized.copy();
      const before = snapshotDir(path.join(repo.root, 'dist'));
      hostile.plant(repo);

      // WHEN
      const run = repo.synth();

      // THEN
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^edgefleet: synth failed; dist\/ was left as it was\.\n/);
      expect(run.stderr).toMatch(hostile.expected);
      expect(run.stderr.length).toBeLessThan(MESSAGE_BOUND);
      const printed = run.stdout + run.stderr;
      expect(printed.toUpperCase()).not.toContain('AGE-SECRET-KEY-1');
      expect(printed.toUpperCase()).not.toContain('PRIVATE KEY-----');
      for (const material of KEY_MATERIAL) expect(printed).not.toContain(material);
      expect(snapshotDir(path.join(repo.root, 'dist'))).toEqual(before);
    },
    60_000,
  );
});
