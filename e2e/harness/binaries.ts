import * as fs from 'fs';
import * as path from 'path';
import { run } from './processes';

/** The upstream programs of the suite, built once per machine by e2e/build-binaries.sh. */
export interface Binaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubectl: string;
  readonly sourceController: string;
  readonly kustomizeController: string;
  /** The CRDs of the Flux controllers, from their own modules (source-controller needs all of its kinds to start). */
  readonly fluxCrds: string[];
  /** The controllers' own manifests, for a realistic gotk-components.yaml. */
  readonly fluxManifests: string;
  /** sops and age-keygen, as the operators run them (e2e/build-sops.sh). */
  readonly sops: string;
  readonly ageKeygen: string;
}

let cached: Binaries | undefined;

/** Builds the binaries when the cache lacks them (the first run on a machine: 25-40 minutes), else reuses them. */
export function binaries(): Binaries {
  if (cached) return cached;
  const script = path.join(__dirname, '..', 'build-binaries.sh');
  const cache = run('bash', [script]).trim().split('\n').pop()!;
  const bin = (name: string) => path.join(cache, 'bin', name);
  const crdDir = path.join(cache, 'crds');
  const sopsBin = run('bash', [path.join(__dirname, '..', 'build-sops.sh')])
    .trim()
    .split('\n')
    .pop()!;
  cached = {
    etcd: bin('etcd'),
    kubeApiserver: bin('kube-apiserver'),
    kubeControllerManager: bin('kube-controller-manager'),
    kubectl: bin('kubectl'),
    sourceController: bin('source-controller'),
    kustomizeController: bin('kustomize-controller'),
    fluxCrds: fs
      .readdirSync(crdDir)
      .sort()
      .map((f) => path.join(crdDir, f)),
    fluxManifests: path.join(cache, 'gotk-components.yaml'),
    sops: path.join(sopsBin, 'sops'),
    ageKeygen: path.join(sopsBin, 'age-keygen'),
  };
  return cached;
}
