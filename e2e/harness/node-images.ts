import * as fs from 'fs';
import * as path from 'path';
import { binaries } from './binaries';
import { run } from './processes';
import type { RealNode } from './real-node';
import { DEFAULT_VM_RESTARTER_IMAGE } from '../../lib/model/vm-restart-policy';
import { E2E_IMAGE_REGISTRY } from '../fleet/e2e-fleet';

/** How the suite stands in for one of the fleet's own images. */
type StandInKind = 'linux' | 'wasm';

/**
 * The fleet's images the suite builds stand-ins for, by repository (their tag becomes the stand-in's
 * version). The POS VM's containerDisk has none: the suite does not fake programs it cannot run.
 */
const STAND_INS: Record<string, StandInKind> = {
  [`${E2E_IMAGE_REGISTRY}/edge-monitor`]: 'linux',
  [`${E2E_IMAGE_REGISTRY}/kiosk`]: 'linux',
  [`${E2E_IMAGE_REGISTRY}/edge-app`]: 'wasm',
};

/** An image the product deploys whose real program the suite builds at the image's version. */
interface UpstreamImage {
  /** The program, from e2e/build-telemetry.sh. */
  readonly program: () => string;
  /** Where the upstream image has it: its entrypoint (the manifests give only arguments). */
  readonly entrypoint: string;
  /** The version the suite builds, which the image's tag must name. */
  readonly version: string;
  /** Further files of the image: host path → path in the image. @default {} */
  readonly files?: Record<string, string>;
  /** Environment of the image. @default {} */
  readonly env?: Record<string, string>;
}

const [RESTARTER_REPOSITORY, RESTARTER_TAG] = repositoryAndTag(DEFAULT_VM_RESTARTER_IMAGE);

/**
 * The telemetry agents' images, as the upstream images have them: the log agent is the OpenTelemetry
 * Collector at the image's release, built with ocb from the components the product's configuration
 * uses (the upstream image has these and more); the metrics agent is vmagent itself.
 */
const UPSTREAM_IMAGES: Record<string, UpstreamImage> = {
  'otel/opentelemetry-collector-k8s': { program: () => binaries().telemetry.otelcol, entrypoint: '/otelcol-k8s', version: '0.165.0' },
  'victoriametrics/vmagent': { program: () => binaries().telemetry.vmagent, entrypoint: '/vmagent-prod', version: 'v1.151.0' },
  // The VM restarter's image (Alpine with kubectl): the suite's kubectl (the Kubernetes release of
  // build-binaries.sh, same minor version as the tag) and Debian's static BusyBox as /bin/sh.
  [RESTARTER_REPOSITORY]: {
    program: () => binaries().kubectl,
    entrypoint: '/usr/bin/kubectl',
    version: RESTARTER_TAG,
    files: { '/bin/busybox': '/bin/sh' },
    env: { PATH: '/usr/bin:/bin' },
  },
};

/** An image reference split at its tag: `registry.example.com/retail/edge-monitor` and `1.4.2`. */
function repositoryAndTag(image: string): [string, string] {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
}

/** Whether the suite has an image for `image`: a stand-in, or the upstream program. */
export function suiteHasImage(image: string): boolean {
  const repository = repositoryAndTag(image)[0];
  return repository in STAND_INS || repository in UPSTREAM_IMAGES;
}

/** The TCP ports that the store's containers running `image` declare. */
export function declaredPorts(image: string, objects: any[]): number[] {
  const containers = objects.flatMap((o) => o.spec?.template?.spec?.containers ?? []);
  return [
    ...new Set(containers.filter((c: any) => c.image === image).flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort as number))),
  ];
}

/** Runs pack-image: a `docker save` tarball named by `image`, with `files` (host path → path in the image). */
function pack(
  image: string,
  tarball: string,
  entrypoint: string,
  files: Record<string, string>,
  env: Record<string, string>,
  ports: number[],
): string {
  fs.mkdirSync(path.dirname(tarball), { recursive: true });
  run(binaries().node.packImage, [
    '-name',
    image,
    '-out',
    tarball,
    '-entrypoint',
    entrypoint,
    ...Object.entries(files).flatMap(([from, to]) => ['-file', `${from}=${to}`]),
    ...Object.entries(env).flatMap(([name, value]) => ['-env', `${name}=${value}`]),
    ...ports.flatMap((p) => ['-port', String(p)]),
  ]);
  return tarball;
}

/** The tarball's file name for an image: its reference with every `/` and `:` replaced. */
function tarballName(image: string): string {
  return `${image.replace(/[/:]/g, '_')}.tar`;
}

/**
 * The suite's image for one of the fleet's images, as a tarball in `dir`: an agent's upstream program,
 * or the stand-in program (a Linux program, or for the Wasm app the same program as a WASI module at
 * `/app.wasm`), which logs numbered lines and serves its counter on the first port the manifest declares.
 */
export function imageTarball(image: string, ports: number[], dir: string): string {
  const [repository, version] = repositoryAndTag(image);
  const upstream = UPSTREAM_IMAGES[repository];
  if (upstream) return upstreamTarball(image, version, upstream, ports, dir);
  const kind = STAND_INS[repository];
  if (!kind) throw new Error(`the suite has no stand-in for ${image}`);
  const app = path.basename(repository);
  const program = binaries().node;
  const env: Record<string, string> = { STANDIN_APP: app, STANDIN_VERSION: version };
  const tarball = path.join(dir, tarballName(image));
  if (kind === 'wasm') {
    // WASI preview 1 cannot listen: the Wasm stand-in runtime pre-opens the port (see wasi-run).
    if (ports.length > 0) env.EDGEFLEET_WASI_TCP_LISTEN = `0.0.0.0:${ports[0]}`;
    return pack(image, tarball, '/app.wasm', { [program.standinWasm]: '/app.wasm' }, env, ports);
  }
  if (ports.length > 0) env.STANDIN_LISTEN = `:${ports[0]}`;
  return pack(image, tarball, `/${app}`, { [program.standin]: `/${app}` }, env, ports);
}

/** The image of an upstream program, under the exact name the store's manifest uses; refused when the suite builds another version. */
function upstreamTarball(image: string, version: string, upstream: UpstreamImage, ports: number[], dir: string): string {
  if (version !== upstream.version) {
    throw new Error(`${image}: the suite builds ${upstream.version} (e2e/build-telemetry.sh); pin both to the same version`);
  }
  const files = { [upstream.program()]: upstream.entrypoint, ...upstream.files };
  return pack(image, path.join(dir, tarballName(image)), upstream.entrypoint, files, upstream.env ?? {}, ports);
}

/** The node's own images, which come with the node (K3s ships them in its air-gap image tarball), not from a store's images.txt. */
export interface NodeImages {
  /** The pod sandbox's image: Kubernetes' pause.c of the pinned release. */
  readonly pause: string;
  /** CoreDNS of the pinned release. */
  readonly coredns: string;
}

/** The node's own images, built from the pinned sources and loaded under their upstream names, as tarballs in `dir`. */
export function nodeImageTarballs(dir: string): { images: NodeImages; tarballs: string[] } {
  const program = binaries().node;
  const corednsVersion = /coredns-v([\d.]+)/.exec(program.coredns)?.[1];
  if (!corednsVersion) throw new Error(`cannot tell CoreDNS's version from ${program.coredns}`);
  const images = { pause: `registry.k8s.io/pause:${program.pauseVersion}`, coredns: `docker.io/coredns/coredns:${corednsVersion}` };
  return {
    images,
    tarballs: [
      pack(images.pause, path.join(dir, tarballName(images.pause)), '/pause', { [program.pause]: '/pause' }, {}, []),
      pack(images.coredns, path.join(dir, tarballName(images.coredns)), '/coredns', { [program.coredns]: '/coredns' }, {}, [53]),
    ],
  };
}

/** The images a store needs, from its `dist/stores/<id>/images.txt`, one reference a line. */
export function storeImageList(storeFolder: string): string[] {
  return fs
    .readFileSync(path.join(storeFolder, 'images.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** What a pre-load from a store's images.txt did. */
export interface Preload {
  /** The images imported, in the list's order. */
  readonly loaded: string[];
  /** The images of the list the suite has no program for, and so did not load. */
  readonly withoutImage: string[];
}

/**
 * The README's pre-load of a store, on the suite's real node: for each image of the store's
 * images.txt, a tarball under its exact name (the agents' real programs; for the apps, the suite's
 * stand-in, serving on the port the store's manifest declares), imported with `ctr -n k8s.io images import`; nothing is pulled.
 */
export function preloadFromImageList(node: RealNode, storeFolder: string, storeObjects: any[], tarballDir: string): Preload {
  const images = storeImageList(storeFolder);
  const loaded = images.filter(suiteHasImage);
  node.importImages(loaded.map((image) => imageTarball(image, declaredPorts(image, storeObjects), tarballDir)));
  return { loaded, withoutImage: images.filter((image) => !suiteHasImage(image)) };
}
