import * as fs from 'fs';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { extract } from 'tar-stream';
import { FleetGit, git } from './fleet-git';
import { EdgeFleet, EdgeMonitor, EdgeStore } from '../../lib';
import { main } from '../../lib/cli/main';
import { artifactTarball } from '../../lib/publish/artifact-tarball';
import { OciPublishOptions, publishOciArtifacts } from '../../lib/publish/publish-oci-artifacts';
import { tempDir, testFleet } from '../util';

/** The fake oras and cosign: a registry in a JSON file, which records every call. */
const FAKE_TOOLS = path.join(__dirname, 'fake-registry-tools');
const TO = 'registry.example.com/retail/edge-stores';

interface FakeRegistry {
  tags: Record<string, string>;
  manifests: Record<string, { layers: Array<{ digest: string }>; annotations: Record<string, string>; signed?: boolean }>;
  layers: Record<string, string>;
  calls: string[];
}

function fleet(monitor: Record<string, string> = {}, without: string[] = []): EdgeFleet {
  const f = testFleet({ sync: { source: 'oci' }, ociArtifacts: { url: `oci://${TO}` } });
  for (const id of ['store-a', 'store-b', 'store-m'].filter((s) => !without.includes(s))) {
    const store = new EdgeStore(f, id, { sync: id === 'store-m' ? { source: 'main' } : {} });
    new EdgeMonitor(store, 'edge-monitor', { image: `registry.example.com/retail/edge-monitor:${monitor[id] ?? '1.4.2'}` });
  }
  return f;
}

/** The file names in a gzipped tarball, in order, as tar-stream reads them. */
async function tarNames(gzipped: Buffer): Promise<string[]> {
  const names: string[] = [];
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    names.push(header.name);
    stream.on('end', next);
    stream.resume();
  });
  const finished = new Promise<void>((resolve, reject) => reader.on('finish', () => resolve()).on('error', reject));
  reader.end(gunzipSync(gzipped));
  await finished;
  return names;
}

describe('edgefleet publish --oci', () => {
  let repo: FleetGit;
  let registryFile: string;
  const registry = (): FakeRegistry => JSON.parse(fs.readFileSync(registryFile, 'utf8'));
  const publish = (options: Partial<OciPublishOptions> = {}) =>
    publishOciArtifacts({
      repo: repo.work,
      to: TO,
      signKey: 'cosign.key',
      jobs: 1,
      env: toolEnv(),
      ...options,
    });
  const toolEnv = (fake: Record<string, string> = {}) => ({
    ...process.env,
    PATH: `${FAKE_TOOLS}:${process.env.PATH}`,
    FAKE_REGISTRY: registryFile,
    COSIGN_PASSWORD: '',
    ...fake,
  });

  beforeEach(() => {
    repo = FleetGit.create();
    registryFile = path.join(tempDir(), 'registry.json');
    repo.release(fleet(), 'Add the stores');
    fs.writeFileSync(path.join(repo.work, 'cosign.key'), 'the fake cosign reads no key\n');
  });

  test('GIVEN stores on OCI WHEN published THEN each gets its own two folders, pushed, signed, then tagged with the tag it follows', async () => {
    // WHEN
    const result = await publish();

    // THEN only the OCI stores, each with an artifact of its two folders at their paths in Git
    expect(result.updates.map((u) => u.store)).toEqual(['store-a', 'store-b']);
    expect(result.failures).toEqual([]);
    const state = registry();
    const manifest = state.manifests[state.tags[`${TO}/store-a:latest`]];
    const names = await tarNames(Buffer.from(state.layers[manifest.layers[0].digest], 'base64'));
    expect(names.filter((n) => !n.startsWith('dist/stores/store-a/') && !n.startsWith('dist/clusters/store-a/'))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['dist/clusters/store-a/flux-system/oci-sync.yaml', 'dist/stores/store-a/kustomization.yaml']));
    // AND the manifest says which commit it is, with Flux's annotations; it was signed before the store's tag moved to it
    expect(manifest.annotations).toEqual({
      'org.opencontainers.image.created': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      'org.opencontainers.image.source': repo.remote,
      'org.opencontainers.image.revision': `main@sha1:${result.source}`,
      'io.edgefleet.content.digest': expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(manifest.signed).toBe(true);
    const calls = state.calls.filter((c) => c.includes('store-a'));
    expect(calls.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['oras manifest', 'oras push', 'cosign sign', 'oras manifest', 'oras tag']);
    expect(calls[1]).toContain(`${TO}/store-a:git-${result.source.slice(0, 12)}`);
  });

  test('GIVEN everything published WHEN published again THEN each store costs one manifest read and nothing is pushed', async () => {
    await publish();
    const before = registry().calls.length;

    const result = await publish();

    expect(result.updates).toEqual([]);
    expect(result.unchanged).toBe(2);
    expect(registry().calls.slice(before)).toEqual([`oras manifest fetch ${TO}/store-a:latest`, `oras manifest fetch ${TO}/store-b:latest`]);
  });

  test("GIVEN a change to one store WHEN published THEN only that store's artifact is pushed", async () => {
    await publish();
    repo.release(fleet({ 'store-b': '1.4.3' }), 'edge-monitor 1.4.3 on store-b');

    const result = await publish();

    expect(result.updates.map((u) => [u.store, u.created])).toEqual([['store-b', false]]);
    expect(result.unchanged).toBe(1);
  });

  test('GIVEN the same files in another order WHEN packed THEN the tarball and its digest are the same, byte for byte', async () => {
    const files = [
      { path: 'dist/stores/s/b.yaml', content: 'b: 1\n' },
      { path: 'dist/stores/s/a.yaml', content: 'a: 1\n' },
    ];
    const [one, other] = await Promise.all([artifactTarball(files), artifactTarball([...files].reverse())]);
    expect(other.bytes.equals(one.bytes)).toBe(true);
    expect(one.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await tarNames(one.bytes)).toEqual(['dist/stores/s/a.yaml', 'dist/stores/s/b.yaml']);
  });

  test('GIVEN signing fails WHEN published THEN no tag moves, the stores are reported and the next publish pushes them again', async () => {
    // WHEN cosign fails
    const failed = await publish({ env: toolEnv({ FAKE_COSIGN_FAIL: '1' }) });

    // THEN the stores are reported, and their tag points at nothing: they keep what they run
    expect(failed.failures.map((f) => f.store)).toEqual(['store-a', 'store-b']);
    expect(failed.failures[0].message).toMatch(/signing .*cosign: Error: signing failed/);
    expect(failed.updates).toEqual([]);
    expect(registry().tags[`${TO}/store-a:latest`]).toBeUndefined();
    // AND a publish that signs publishes them
    expect((await publish()).updates.map((u) => u.store)).toEqual(['store-a', 'store-b']);
  });

  test('GIVEN no signing key WHEN published THEN it is refused before anything is pushed, saying why', async () => {
    await expect(publish({ signKey: undefined })).rejects.toThrow(/every artifact must be signed.*--sign-key/);
    expect(fs.existsSync(registryFile)).toBe(false);
  });

  test('GIVEN a store removed from the fleet WHEN its removal is published THEN its last artifact holds only its flux-system folder', async () => {
    // GIVEN store-b with Flux's components committed (`flux install --export`), which synth keeps when the store goes
    fs.writeFileSync(path.join(repo.work, 'dist/clusters/store-b/flux-system/gotk-components.yaml'), '# the Flux controllers\n');
    git(repo.work, 'commit', '-qam', "Flux's components for store-b");
    await publish();
    repo.release(fleet({}, ['store-b']), 'Close store-b');
    expect(fs.existsSync(path.join(repo.work, 'dist/clusters/store-b/flux-system/gotk-components.yaml'))).toBe(true);
    expect((await publish()).updates).toEqual([]);

    const result = await publish({ remove: ['store-b'] });

    expect(result.updates.map((u) => [u.store, u.removal])).toEqual([['store-b', true]]);
    const state = registry();
    const manifest = state.manifests[state.tags[`${TO}/store-b:latest`]];
    const names = await tarNames(Buffer.from(state.layers[manifest.layers[0].digest], 'base64'));
    expect(names).toEqual(expect.arrayContaining(['dist/clusters/store-b/kustomization.yaml', 'dist/clusters/store-b/flux-system/oci-sync.yaml']));
    expect(names.filter((n) => !n.startsWith('dist/clusters/store-b/flux-system/') && n !== 'dist/clusters/store-b/kustomization.yaml')).toEqual([]);
  });

  test('GIVEN a store still in the fleet WHEN its removal is asked THEN it is refused, naming the store and what to do', async () => {
    await expect(publish({ remove: ['store-a'] })).rejects.toThrow(
      /store "store-a" is still in the fleet .*remove it from the fleet, synthesize and commit first/,
    );
  });

  test("GIVEN another publish moves a store's tag meanwhile WHEN this one would move it THEN it leaves the tag and reports the store", async () => {
    const result = await publish({ env: toolEnv({ FAKE_TAG_MOVED: '1' }) });

    expect(result.updates).toEqual([]);
    expect(result.failures.map((f) => f.store)).toEqual(['store-a', 'store-b']);
    expect(result.failures[0].message).toMatch(/tag "latest" moved while this publish ran .*run one at a time/);
  });

  test('GIVEN a push location whose path is not where the stores pull WHEN published THEN nothing is pushed and the fix is named', async () => {
    const refused = publish({ to: 'registry.example.com/retail/stores' });
    await expect(refused).rejects.toThrow(/--oci "registry.example.com\/retail\/stores" would put store "store-a" in /);
    await expect(refused).rejects.toThrow(
      /pulls "oci:\/\/registry.example.com\/retail\/edge-stores\/store-a": give --oci .*"registry.example.com\/retail\/edge-stores"/,
    );
    expect(fs.existsSync(registryFile)).toBe(false);
  });

  test('GIVEN a mirror host with the same path WHEN published THEN it is accepted', async () => {
    expect((await publish({ to: 'primary.example.com:5000/retail/edge-stores' })).updates.map((u) => u.store)).toEqual(['store-a', 'store-b']);
  });

  test('GIVEN a key file and no COSIGN_PASSWORD WHEN published THEN it is refused before anything is pushed', async () => {
    const { COSIGN_PASSWORD: _password, ...env } = toolEnv();
    await expect(publish({ env })).rejects.toThrow(/--sign-key "cosign.key" is a key file: set COSIGN_PASSWORD/);
    await expect(publish({ signKey: 'missing.key' })).rejects.toThrow(/--sign-key "missing.key" does not exist/);
    expect(fs.existsSync(registryFile)).toBe(false);
  });

  describe('as a command', () => {
    /** `edgefleet publish ...args` in the fleet's clone, with the fake tools first on PATH. */
    const cli = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const path0 = process.env.PATH;
      process.env.PATH = `${FAKE_TOOLS}:${path0}`;
      process.env.FAKE_REGISTRY = registryFile;
      process.env.COSIGN_PASSWORD = '';
      try {
        const code = await main(['publish', ...args], { write: (t: string) => out.push(t) }, { write: (t: string) => err.push(t) }, repo.work);
        return { code, out: out.join(''), err: err.join('') };
      } finally {
        process.env.PATH = path0;
        delete process.env.FAKE_REGISTRY;
        delete process.env.COSIGN_PASSWORD;
      }
    };

    test('GIVEN stores on OCI WHEN publish --oci runs THEN it prints one summary line and a line per artifact pushed', async () => {
      const { code, out } = await cli('--oci', `oci://${TO}`, '--sign-key', 'cosign.key', '--jobs', '1');
      expect(code).toBe(0);
      expect(out).toMatch(
        new RegExp(`^edgefleet: publish [0-9a-f]{12} to ${TO}: 2 stores on OCI, 0 updated, 2 created, 0 unchanged; pushed, signed and tagged`),
      );
      expect(out).toMatch(new RegExp(`\n  ${TO}/store-a  latest -> git-[0-9a-f]{12} sha256:[0-9a-f]{12}  [0-9.]+ KiB  \\(new\\)\n`));
    });

    test('GIVEN no --sign-key WHEN publish --oci runs THEN it says why and exits 1', async () => {
      const { code, err } = await cli('--oci', TO);
      expect(code).toBe(1);
      expect(err).toMatch(/^edgefleet: publish --oci: every artifact must be signed/);
    });

    test.each([
      [['--sign-key', 'cosign.key'], '--sign-key is an option of publish --oci'],
      [['--plain-http'], '--plain-http is an option of publish --oci'],
      [['--oci', TO, '--remote', 'origin'], '--remote names the Git remote of the store branches'],
    ])('GIVEN publish %j WHEN run THEN the option out of place is refused, saying where it belongs', async (args, message) => {
      const { code, err } = await cli(...args);
      expect(code).toBe(2);
      expect(err).toContain(`edgefleet: publish: ${message}`);
    });

    test('GIVEN --jobs 0 WHEN publish runs THEN the value is refused with what is expected', async () => {
      const { code, err } = await cli('--oci', TO, '--sign-key', 'k', '--jobs', '0');
      expect(code).toBe(2);
      expect(err).toContain('edgefleet: publish: --jobs "0" is not a whole number of at least 1');
    });
  });
});
