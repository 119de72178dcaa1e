import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ArtifactFile, ArtifactTarball, artifactTarball } from './artifact-tarball';
import { SourceCommit, StoreFolders, readSourceCommit, storeFolders } from './published-commit';
import { ArtifactManifest, RegistryTools } from './registry-tools';
import { EdgefleetError } from '../errors/edgefleet-error';
import { FLUX_CONFIG_MEDIA_TYPE, FLUX_CONTENT_MEDIA_TYPE, OCI_LOCATION, OCI_SYNC_FILE, storeArtifactRepository } from '../model/oci-artifacts';
import { DNS_LABEL_HINT, isDnsLabel } from '../prop-checks/checks';
import { compareStrings } from '../util/compare-strings';
import { git, gitLines, readBlobs } from '../util/git';
import { inParallel } from '../util/in-parallel';
import { parseYamlDocuments } from '../util/parse-yaml';

/** Options of {@link publishOciArtifacts}. */
export interface OciPublishOptions {
  /** A checkout of the fleet repository. */
  readonly repo: string;
  /** Where to push, `<registry>/<prefix>` (an `oci://` in front is allowed): store `<id>` goes to `<prefix>/<id>`. */
  readonly to: string;
  /**
   * The cosign key every artifact is signed with: a key file (its password in `COSIGN_PASSWORD`) or a KMS URI.
   * @default - none: refused unless `dryRun`
   */
  readonly signKey?: string;
  /** The synthesized folder, relative to the repository's root. @default 'dist' */
  readonly dir?: string;
  /** The commit whose synthesized folder is published. @default 'HEAD' */
  readonly source?: string;
  /**
   * Stores no longer in the fleet whose removal to publish: their artifact gets a last version that
   * holds only their `flux-system/` folder, so that their Flux prunes its two Kustomizations (which
   * orphan what they ran). Without it a removed store's artifact is left as it is.
   * @default []
   */
  readonly remove?: string[];
  /** Compare with the registry and report, but push nothing. @default false */
  readonly dryRun?: boolean;
  /** Talk plain HTTP to the registry (a test registry on loopback). @default false */
  readonly plainHttp?: boolean;
  /** Stores handled at once: registry round trips overlap, each store's steps stay in order. @default 8 */
  readonly jobs?: number;
  /** Called after each store. @default - nothing */
  readonly onProgress?: (progress: OciPublishProgress) => void;
  /** Environment of oras and cosign (Docker config, `COSIGN_PASSWORD`). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** How far a publish has got. */
export interface OciPublishProgress {
  readonly done: number;
  readonly total: number;
  readonly pushed: number;
}

/** One store whose artifact publish pushed, or would push with `dryRun`. */
export interface ArtifactUpdate {
  /** The store id. */
  readonly store: string;
  /** The repository, `<registry>/<prefix>/<id>`. */
  readonly repository: string;
  /** The tag the store follows, moved to the new artifact. */
  readonly tag: string;
  /** The immutable tag of this version, for pinning and rolling back: `git-<12 hex of the commit>`. */
  readonly versionTag: string;
  /** Digest of the new manifest. @default - none with `dryRun` */
  readonly digest?: string;
  /** Digest of the artifact's content (its one layer). */
  readonly layer: string;
  /** Bytes of that layer: what the store downloads for this release. */
  readonly bytes: number;
  /** Whether the store had no artifact under its tag before. */
  readonly created: boolean;
  /** Whether this version publishes the store's removal from the fleet. */
  readonly removal: boolean;
}

/** A store that publish could not publish: what went wrong. The store keeps the artifact it had. */
export interface ArtifactFailure {
  /** The store id. */
  readonly store: string;
  /** What went wrong, and the fix where there is one. */
  readonly message: string;
}

/** What {@link publishOciArtifacts} did. */
export interface OciPublishResult {
  /** The commit published. */
  readonly source: string;
  /** Where publish pushed, `<registry>/<prefix>`. */
  readonly to: string;
  /** Flux stores of the source commit that pull from OCI. */
  readonly stores: number;
  /** The artifacts pushed (or, with `dryRun`, to push), by store id. */
  readonly updates: ArtifactUpdate[];
  /** Stores whose tag already pointed at an artifact of the same content. */
  readonly unchanged: number;
  /** Stores that could not be published; each keeps its artifact. */
  readonly failures: ArtifactFailure[];
  /** Whether anything was pushed: false with `dryRun`. */
  readonly pushed: boolean;
}

/** A store of the commit that pulls from OCI: where, and which tag. */
interface OciStore {
  readonly store: string;
  readonly url: string;
  readonly tag: string;
}

/** One store's artifact as publish plans it. */
interface StoreArtifact {
  readonly store: string;
  readonly tag: string;
  readonly files: ArtifactFile[];
  readonly removal: boolean;
}

/** Annotations of a Flux artifact's manifest (those that `flux push artifact` writes). */
const ANNOTATION = {
  created: 'org.opencontainers.image.created',
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  /** edgefleet's own: the digest of the uncompressed tarball, which no compressor's version can change. */
  content: 'io.edgefleet.content.digest',
};

/** Stores whose files are read from Git and packed at once: enough to keep `jobs` busy, few enough to keep memory flat at 10,000 stores. */
const STORES_PER_BATCH = 256;

/**
 * Publishes every Flux store whose `sync.source` is `'oci'`: the store's two folders of the synthesized
 * tree at `source`, at the paths they have there, as a Flux artifact (a reproducible gzipped tarball,
 * Flux's media types and annotations with the commit), pushed to `<to>/<id>` only when its content
 * differs from that of the artifact under the store's tag. A changed store costs a manifest read, a
 * push of its own artifact (with an immutable tag `git-<commit>`), a cosign signature, and then the move
 * of the tag it follows, last, so that a store never sees an unsigned version; an unchanged one costs
 * the manifest read alone. Stores are handled `jobs` at a time; one store's failure is reported and
 * leaves its tag where it was, the others go on.
 */
export async function publishOciArtifacts(options: OciPublishOptions): Promise<OciPublishResult> {
  const repo = options.repo;
  const dir = (options.dir ?? 'dist').replace(/^\.?\/+|\/+$/g, '');
  const to = options.to.replace(/^oci:\/\//, '').replace(/\/+$/, '');
  if (!OCI_LOCATION.test(to)) {
    throw new EdgefleetError(
      `--oci "${options.to}" is not a registry and repository prefix (use "<registry>/<path>" in lower case, such as ` +
        '"registry.example.com/retail/edge-stores")',
    );
  }
  if (!options.dryRun && !options.signKey) {
    throw new EdgefleetError(
      'every artifact must be signed, since the stores refuse unsigned ones: give publish --oci the cosign key with --sign-key <file or KMS URI>',
    );
  }
  for (const store of options.remove ?? []) {
    if (!isDnsLabel(store)) throw new EdgefleetError(`--remove "${store}" is not a store id (${DNS_LABEL_HINT})`);
  }
  const source = readSourceCommit(repo, options.source ?? 'HEAD');
  const folders = storeFolders(repo, source.id, dir);
  const onOci = ociStores(repo, folders, dir);
  const artifacts = [
    ...onOci.map(({ store, tag }) => ({ store, tag, removal: false })),
    ...removals(repo, source, dir, folders, options.remove ?? []),
  ];
  checkPushLocation(to, onOci, dir);
  const tools = new RegistryTools({ plainHttp: options.plainHttp, signKey: options.signKey, env: options.env, cwd: repo });
  await tools.checkReady({ sign: !options.dryRun });
  const annotations = manifestAnnotations(repo, source, options.source);
  const context: PublishContext = {
    to,
    source,
    annotations,
    scratch: mkdtempSync(join(tmpdir(), 'edgefleet-publish-')),
    dryRun: options.dryRun ?? false,
    jobs: options.jobs ?? 8,
    readBefore: new Map(),
  };
  const outcome = new Outcome();
  try {
    for (let start = 0; start < artifacts.length; start += STORES_PER_BATCH) {
      const batch = withContents(repo, artifacts.slice(start, start + STORES_PER_BATCH), folders);
      await publishBatch(tools, batch, context, outcome);
      options.onProgress?.({ done: Math.min(start + STORES_PER_BATCH, artifacts.length), total: artifacts.length, pushed: outcome.updates.length });
    }
  } finally {
    rmSync(context.scratch, { recursive: true, force: true });
  }
  const byStore = (x: { store: string }, y: { store: string }) => compareStrings(x.store, y.store);
  return {
    source: source.id,
    to,
    stores: onOci.length,
    updates: outcome.updates.sort(byStore),
    unchanged: artifacts.length - outcome.updates.length - outcome.failures.length,
    failures: outcome.failures.sort(byStore),
    pushed: !context.dryRun && outcome.updates.length > 0,
  };
}

/** What a publish did so far: the stores published, and those that failed (each out of the steps that follow). */
class Outcome {
  public readonly updates: ArtifactUpdate[] = [];
  public readonly failures: ArtifactFailure[] = [];
  private readonly failed = new Set<string>();

  /** Runs `step` for `stores`; a failure is theirs alone. */
  public async guarded(stores: string[], step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (e) {
      if (!EdgefleetError.isEdgefleetError(e)) throw e;
      stores.forEach((store) => this.failed.add(store));
      this.failures.push(...stores.map((store) => ({ store, message: e.message })));
    }
  }

  /** Whether `store` has failed a step. */
  public hasFailed(store: string): boolean {
    return this.failed.has(store);
  }
}

/**
 * One batch of stores, `jobs` at a time in each step: compare and push; sign (cosign takes several
 * artifacts a run); then move each store's tag, only once its artifact is signed.
 */
async function publishBatch(
  tools: RegistryTools,
  batch: Array<StoreArtifact & { tarball: Promise<ArtifactTarball> }>,
  context: PublishContext,
  outcome: Outcome,
): Promise<void> {
  const pushed: ArtifactUpdate[] = [];
  await inParallel(batch, context.jobs, (artifact) =>
    outcome.guarded([artifact.store], async () => {
      const update = await pushStore(tools, artifact, context);
      if (update) pushed.push(update);
    }),
  );
  if (context.dryRun) {
    outcome.updates.push(...pushed);
    return;
  }
  const signed: ArtifactUpdate[] = [];
  const sign = (group: ArtifactUpdate[]) => tools.sign(group.map((u) => `${u.repository}@${u.digest}`)).then(() => signed.push(...group));
  await inParallel(inGroups(pushed, context.jobs), context.jobs, async (group) => {
    // A group that fails is signed store by store, so that one store's problem fails that store alone.
    await sign(group).catch(() => inParallel(group, 1, (u) => outcome.guarded([u.store], () => sign([u]).then(() => undefined))));
  });
  await inParallel(signed, context.jobs, (u) => outcome.guarded([u.store], () => moveTag(tools, u, context)));
  outcome.updates.push(...signed.filter((u) => !outcome.hasFailed(u.store)));
}

interface PublishContext {
  readonly to: string;
  readonly source: SourceCommit;
  readonly annotations: Record<string, string>;
  readonly scratch: string;
  readonly dryRun: boolean;
  readonly jobs: number;
  /** The manifest each store's tag pointed at when publish read it, as JSON: its tag moves only if it still does. */
  readonly readBefore: Map<string, string>;
}

/** One store: compare with the artifact under its tag, and push its own when the content differs (untagged for the store yet). */
async function pushStore(
  tools: RegistryTools,
  artifact: StoreArtifact & { tarball: Promise<ArtifactTarball> },
  context: PublishContext,
): Promise<ArtifactUpdate | undefined> {
  const repository = storeArtifactRepository(context.to, artifact.store);
  const [current, tarball] = await Promise.all([tools.manifest(`${repository}:${artifact.tag}`), artifact.tarball]);
  if (current?.annotations?.[ANNOTATION.content] === tarball.contentDigest || current?.layers?.[0]?.digest === tarball.digest) return undefined;
  checkNotNewer(current, context, artifact.tag);
  context.readBefore.set(artifact.store, JSON.stringify(current ?? null));
  const versionTag = `git-${context.source.id.slice(0, 12)}`;
  const update = { store: artifact.store, repository, tag: artifact.tag, versionTag, layer: tarball.digest, bytes: tarball.bytes.length };
  const fate = { created: current === undefined, removal: artifact.removal };
  if (context.dryRun) return { ...update, ...fate };
  const folder = join(context.scratch, artifact.store);
  const layerFile = 'artifact.tar.gz';
  writeFolder(folder, { [layerFile]: tarball.bytes, 'config.json': '{}' });
  try {
    const digest = await tools.push({
      reference: `${repository}:${versionTag}`,
      folder,
      layer: `${layerFile}:${FLUX_CONTENT_MEDIA_TYPE}`,
      config: `config.json:${FLUX_CONFIG_MEDIA_TYPE}`,
      annotations: { ...context.annotations, [ANNOTATION.content]: tarball.contentDigest },
    });
    return { ...update, digest, ...fate };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Moves the store's tag to its new artifact, unless the tag moved since publish read it (another
 * publish, or someone with `oras tag`): that is left as it is, and reported.
 */
async function moveTag(tools: RegistryTools, update: ArtifactUpdate, context: PublishContext): Promise<void> {
  const now = JSON.stringify((await tools.manifest(`${update.repository}:${update.tag}`)) ?? null);
  if (now !== context.readBefore.get(update.store)) {
    throw new EdgefleetError(
      `tag "${update.tag}" moved while this publish ran (another publish at the same time? run one at a time, e.g. a CI concurrency ` +
        'group): left as it is; publish again',
    );
  }
  await tools.tag(`${update.repository}@${update.digest}`, update.tag);
}

/** `items` in at most `groups` groups of about equal size, in order. */
function inGroups<T>(items: T[], groups: number): T[][] {
  const size = Math.ceil(items.length / groups);
  return Array.from({ length: Math.ceil(items.length / size) || 0 }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/**
 * Refuses to move a store's tag from an artifact of a newer commit to one of an older: two publish runs
 * out of order would take the store back. Compares the commit dates that publish writes as `created`.
 */
function checkNotNewer(current: ArtifactManifest | undefined, context: PublishContext, tag: string): void {
  const published = current?.annotations?.[ANNOTATION.created];
  const revision = current?.annotations?.[ANNOTATION.revision] ?? '';
  if (published && Date.parse(published) > context.source.time * 1000 && !revision.endsWith(context.source.id)) {
    throw new EdgefleetError(
      `tag "${tag}" holds an artifact of ${revision || 'a commit'}, made ${published}, after ${context.source.id.slice(0, 12)}: publishing ` +
        'it would take the store back (two publish runs out of order?). Publish the newest commit of the main branch; to roll back, revert there',
    );
  }
}

/** The manifest annotations of every artifact of `source`: its date (so the digest depends on nothing else), the repository, the revision. */
function manifestAnnotations(repo: string, source: SourceCommit, rev: string | undefined): Record<string, string> {
  const branch = rev === undefined ? optionalGitLine(repo, ['symbolic-ref', '-q', '--short', 'HEAD']) : undefined;
  const url = optionalGitLine(repo, ['remote', 'get-url', 'origin']);
  return {
    [ANNOTATION.created]: new Date(source.time * 1000).toISOString().replace('.000Z', 'Z'),
    ...(url ? { [ANNOTATION.source]: withoutCredentials(url) } : {}),
    [ANNOTATION.revision]: `${branch ? `${branch}@` : ''}sha1:${source.id}`,
  };
}

/** The first line git prints, or undefined when it fails (no such remote, a detached HEAD). */
function optionalGitLine(repo: string, args: string[]): string | undefined {
  try {
    return gitLines(repo, args)[0];
  } catch (e) {
    if (EdgefleetError.isEdgefleetError(e)) return undefined;
    throw e;
  }
}

function withoutCredentials(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^@/]*@/, '$1');
}

/** The Flux stores of the commit that pull from OCI, each with the tag it follows, read from its OCIRepository. */
function ociStores(repo: string, folders: Map<string, StoreFolders>, dir: string): OciStore[] {
  const syncFiles = new Map<string, string>();
  for (const [id, store] of folders) {
    const file = store.files.find((f) => f.path === `${dir}/clusters/${id}/${OCI_SYNC_FILE}`);
    if (file) syncFiles.set(id, file.oid);
  }
  const texts = readBlobs(repo, [...new Set(syncFiles.values())]);
  return [...syncFiles]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([store, oid]) => ({ store, ...followedSource(texts.get(oid) ?? '', `${dir}/clusters/${store}/${OCI_SYNC_FILE}`) }));
}

/** The repository and tag that the OCIRepository of an `oci-sync.yaml` follows. */
function followedSource(text: string, file: string): { url: string; tag: string } {
  const source = parseYamlDocuments(text).documents.find((d: any) => d?.kind === 'OCIRepository') as any;
  const { url, ref } = source?.spec ?? {};
  if (typeof url !== 'string' || typeof ref?.tag !== 'string') {
    throw new EdgefleetError(`${file} has no OCIRepository with a spec.url and spec.ref.tag (synthesize again with this edgefleet)`);
  }
  return { url, tag: ref.tag };
}

/**
 * Refuses a push location whose path is not the one the stores pull: every artifact would go where no
 * store looks. The host may differ (CI pushes to a registry the stores' one mirrors); the path may not.
 */
function checkPushLocation(to: string, stores: OciStore[], dir: string): void {
  const pathOf = (location: string) => location.replace(/^(oci:\/\/)?[^/]+/, '');
  const astray = stores.find((s) => pathOf(storeArtifactRepository(to, s.store)) !== pathOf(s.url));
  if (astray) {
    throw new EdgefleetError(
      `--oci "${to}" would put store "${astray.store}" in "${storeArtifactRepository(to, astray.store)}", but its OCIRepository ` +
        `(${dir}/clusters/${astray.store}/${OCI_SYNC_FILE}) pulls "${astray.url}": give --oci the registry and path of the fleet's ` +
        `ociArtifacts.url ("${astray.url.replace(/^oci:\/\//, '').replace(/\/[^/]+$/, '')}"); the host may differ where the stores pull ` +
        'from a mirror',
    );
  }
}

/**
 * The last artifact of each store in `toRemove`: its `clusters/<id>/flux-system/` folder as it was
 * before the commit that removed it, under a `kustomization.yaml` that lists nothing else. Its Flux
 * keeps itself, its source and its artifact claim, and prunes the store's two Kustomizations.
 */
function removals(repo: string, source: SourceCommit, dir: string, folders: Map<string, StoreFolders>, toRemove: string[]): StoreArtifact[] {
  return [...new Set(toRemove)].sort(compareStrings).map((store) => {
    const syncFile = `${dir}/clusters/${store}/${OCI_SYNC_FILE}`;
    if (isStillInFleet(folders.get(store), dir, store)) {
      throw new EdgefleetError(
        `store "${store}" is still in the fleet (${dir}/clusters/${store}/ exists at ${source.id.slice(0, 12)}): remove it from the fleet, ` +
          'synthesize and commit first',
      );
    }
    const removedIn = gitLines(repo, ['log', '-1', '--format=%H', source.id, '--', syncFile])[0];
    if (!removedIn) {
      const shallow = gitLines(repo, ['rev-parse', '--is-shallow-repository'])[0] === 'true';
      throw new EdgefleetError(
        shallow
          ? `store "${store}": ${syncFile} is in no commit of this shallow clone: publish a removal from a clone with the history (fetch-depth: 0)`
          : `store "${store}" never pulled from OCI: ${syncFile} is in no commit before ${source.id.slice(0, 12)}`,
      );
    }
    const before = `${removedIn}^`;
    const flux = gitLines(repo, ['ls-tree', '-r', '--name-only', before, '--', `${dir}/clusters/${store}/flux-system/`]);
    const contents = flux.map((path) => ({ path, content: git(repo, ['show', `${before}:${path}`]).toString('utf8') }));
    const { tag } = followedSource(contents.find((f) => f.path === syncFile)?.content ?? '', syncFile);
    const root = {
      path: `${dir}/clusters/${store}/kustomization.yaml`,
      content: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - flux-system\n',
    };
    return { store, tag, files: [...contents, root], removal: true };
  });
}

/**
 * Whether the commit still has the store: its `stores/<id>/` folder or its bootstrap kustomization. A
 * removed store may keep a `clusters/<id>/` folder of bootstrap files that `flux install` or `flux
 * bootstrap` filled in, which synth never deletes.
 */
function isStillInFleet(folders: StoreFolders | undefined, dir: string, store: string): boolean {
  const bootstrap = `${dir}/clusters/${store}/flux-system/kustomization.yaml`;
  return (folders?.files ?? []).some((f) => f.path === bootstrap || f.path.startsWith(`${dir}/stores/${store}/`));
}

/** The artifacts of a batch with their files read from Git (one `git cat-file` for the batch) and their tarballs on the way. */
function withContents(
  repo: string,
  batch: Array<Omit<StoreArtifact, 'files'> & { files?: ArtifactFile[] }>,
  folders: Map<string, StoreFolders>,
): Array<StoreArtifact & { tarball: Promise<ArtifactTarball> }> {
  const entries = new Map(batch.filter((a) => !a.files).map((a) => [a.store, folders.get(a.store)!.files]));
  const blobs = readBlobs(repo, [...new Set([...entries.values()].flat().map((f) => f.oid))]);
  return batch.map((artifact) => {
    const files = artifact.files ?? entries.get(artifact.store)!.map((f) => ({ path: f.path, content: blobContent(blobs, f) }));
    return { ...artifact, files, tarball: artifactTarball(files) };
  });
}

/** A file's content, read from Git; an error when the repository lacks it (a partial or damaged clone), never an empty file. */
function blobContent(blobs: Map<string, string>, file: { path: string; oid: string }): string {
  const content = blobs.get(file.oid);
  if (content === undefined) throw new EdgefleetError(`${file.path}: its blob ${file.oid} is missing from the repository (fetch it, or clone again)`);
  return content;
}

function writeFolder(folder: string, files: Record<string, Buffer | string>): void {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
}
