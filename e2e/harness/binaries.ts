import * as fs from 'fs';
import * as path from 'path';
import { run } from './processes';
import { packageRoot } from '../../lib/util/package-root';

/** The upstream programs of the suite, built once per machine by e2e/build-binaries.sh. */
export interface Binaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubectl: string;
  /** The real node's Kubernetes commands (built with the control plane's). */
  readonly kubelet: string;
  readonly kubeScheduler: string;
  readonly kubeProxy: string;
  readonly sourceController: string;
  readonly kustomizeController: string;
  /** The CRDs of the Flux controllers, from their own modules (source-controller needs all of its kinds to start). */
  readonly fluxCrds: string[];
  /** The controllers' own manifests, for a realistic gotk-components.yaml. */
  readonly fluxManifests: string;
  /** The OCI registry (distribution), and the clients that push, tag and sign the stores' artifacts. */
  readonly registry: string;
  readonly oras: string;
  readonly cosign: string;
  /** sops and age-keygen, as the operators run them (e2e/build-sops.sh). */
  readonly sops: string;
  readonly ageKeygen: string;
  /** The real node's other programs (e2e/build-node.sh). */
  readonly node: NodePrograms;
  /** The store's telemetry agents and the central receivers (e2e/build-telemetry.sh). */
  readonly telemetry: TelemetryPrograms;
}

/** What e2e/build-telemetry.sh builds: the programs of the product's agent images, and the receivers the suite runs. */
export interface TelemetryPrograms {
  /** The log agent: an OpenTelemetry Collector of the pinned release, built with ocb from the components the product's configuration uses. */
  readonly otelcol: string;
  /** The metrics agent. */
  readonly vmagent: string;
  /** The central log receiver (OTLP/HTTP). */
  readonly victoriaLogs: string;
  /** The central metrics receiver (Prometheus remote write). */
  readonly victoriaMetrics: string;
}

/** What e2e/build-node.sh builds for the real node, besides the Kubernetes commands. */
export interface NodePrograms {
  /** CoreDNS, the cluster DNS. */
  readonly coredns: string;
  /** Kubernetes' pause.c, compiled; and its version (the tag of its image). */
  readonly pause: string;
  readonly pauseVersion: string;
  /** The stand-in for the fleet's apps, as a Linux program and as a WASI module. */
  readonly standin: string;
  readonly standinWasm: string;
  /** The OCI runtime of the `wasmedge` handler: runc, with wasi-run for `.wasm` entrypoints (a stand-in, not WasmEdge). */
  readonly wasmRunc: string;
  /** Writes `docker save` tarballs. */
  readonly packImage: string;
}

/** Runs a build script of e2e/ and returns its `name=path` lines. */
function builtPrograms(script: string): Record<string, string> {
  const lines = run('bash', [buildScript(script)])
    .trim()
    .split('\n');
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

let cached: Binaries | undefined;

/** A build script of e2e/, found from the project's root, so that the compiled benchmarks in build/ find it too. */
function buildScript(script: string): string {
  return path.join(packageRoot(__dirname), 'e2e', script);
}

/** The last line a build script prints: the folder of what it built. */
function builtFolder(script: string): string {
  return run('bash', [buildScript(script)])
    .trim()
    .split('\n')
    .pop()!;
}

function telemetryPrograms(): TelemetryPrograms {
  const bin = builtFolder('build-telemetry.sh');
  return {
    otelcol: path.join(bin, 'otelcol-edgefleet'),
    vmagent: path.join(bin, 'vmagent'),
    victoriaLogs: path.join(bin, 'victoria-logs'),
    victoriaMetrics: path.join(bin, 'victoria-metrics'),
  };
}

function nodePrograms(): NodePrograms {
  const built = builtPrograms('build-node.sh');
  return {
    coredns: built.coredns,
    pause: built.pause,
    pauseVersion: built['pause-version'],
    standin: built.standin,
    standinWasm: built['standin.wasm'],
    wasmRunc: built['wasm-runc'],
    packImage: built['pack-image'],
  };
}

/** Builds the binaries when the cache lacks them (the first run on a machine: 25-40 minutes), else reuses them. */
export function binaries(): Binaries {
  if (cached) return cached;
  const cache = builtFolder('build-binaries.sh');
  const bin = (name: string) => path.join(cache, 'bin', name);
  const crdDir = path.join(cache, 'crds');
  const sopsBin = builtFolder('build-sops.sh');
  cached = {
    etcd: bin('etcd'),
    kubeApiserver: bin('kube-apiserver'),
    kubeControllerManager: bin('kube-controller-manager'),
    kubectl: bin('kubectl'),
    kubelet: bin('kubelet'),
    kubeScheduler: bin('kube-scheduler'),
    kubeProxy: bin('kube-proxy'),
    sourceController: bin('source-controller'),
    kustomizeController: bin('kustomize-controller'),
    fluxCrds: fs
      .readdirSync(crdDir)
      .sort()
      .map((f) => path.join(crdDir, f)),
    fluxManifests: path.join(cache, 'gotk-components.yaml'),
    registry: bin('registry'),
    oras: bin('oras'),
    cosign: bin('cosign'),
    sops: path.join(sopsBin, 'sops'),
    ageKeygen: path.join(sopsBin, 'age-keygen'),
    node: nodePrograms(),
    telemetry: telemetryPrograms(),
  };
  return cached;
}
