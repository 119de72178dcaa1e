import * as path from 'path';
import { binaries } from './binaries';
import { makePki, writeKubeconfig } from './certificates';
import { Kubectl } from './kubectl';
import { ManagedProcess, freePort, waitFor } from './processes';

/**
 * A store's Kubernetes control plane as real processes on 127.0.0.1: etcd, kube-apiserver (RBAC,
 * client certificates, service-account tokens) and kube-controller-manager, whose namespace and
 * garbage-collector controllers really delete what a removed parent takes with it. There is no
 * kubelet and no scheduler: pods are created but never run.
 */
export class ControlPlane {
  /** Starts a fresh control plane with its state in `dir`. */
  public static async start(dir: string): Promise<ControlPlane> {
    const plane = new ControlPlane(dir);
    await plane.boot();
    return plane;
  }

  public readonly kubeconfig: string;
  public readonly kubectl: Kubectl;
  private readonly processes: ManagedProcess[] = [];

  private constructor(public readonly dir: string) {
    this.kubeconfig = path.join(dir, 'admin.kubeconfig');
    this.kubectl = new Kubectl(this.kubeconfig);
  }

  private async boot(): Promise<void> {
    const bin = binaries();
    const pki = makePki(path.join(this.dir, 'pki'));
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const logs = path.join(this.dir, 'logs');
    const etcd = `http://127.0.0.1:${etcdClient}`;
    this.processes.push(
      new ManagedProcess(
        'etcd',
        bin.etcd,
        [
          '--name',
          'store',
          '--data-dir',
          path.join(this.dir, 'etcd'),
          '--listen-client-urls',
          etcd,
          '--advertise-client-urls',
          etcd,
          '--listen-peer-urls',
          `http://127.0.0.1:${etcdPeer}`,
          '--initial-advertise-peer-urls',
          `http://127.0.0.1:${etcdPeer}`,
          '--initial-cluster',
          `store=http://127.0.0.1:${etcdPeer}`,
          '--unsafe-no-fsync',
          '--log-level',
          'warn',
        ],
        path.join(logs, 'etcd.log'),
      ),
    );

    this.processes.push(
      new ManagedProcess(
        'kube-apiserver',
        bin.kubeApiserver,
        [
          `--etcd-servers=${etcd}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${apiPort}`,
          `--cert-dir=${path.join(this.dir, 'apiserver')}`,
          `--tls-cert-file=${pki.serverCert}`,
          `--tls-private-key-file=${pki.serverKey}`,
          `--client-ca-file=${pki.caCert}`,
          '--authorization-mode=RBAC',
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-account-key-file=${pki.serviceAccountPub}`,
          `--service-account-signing-key-file=${pki.serviceAccountKey}`,
          '--service-cluster-ip-range=10.96.0.0/24',
          '--allow-privileged=true',
          '--profiling=false',
          '--v=1',
        ],
        path.join(logs, 'kube-apiserver.log'),
      ),
    );
    writeKubeconfig(this.kubeconfig, `https://127.0.0.1:${apiPort}`, pki);
    await waitFor(
      'kube-apiserver /readyz',
      () => (this.kubectl.spawn(['get', '--raw', '/readyz']).stdout.trim() === 'ok' ? true : this.failIfDead()),
      90_000,
    );

    this.processes.push(
      new ManagedProcess(
        'kube-controller-manager',
        bin.kubeControllerManager,
        [
          `--kubeconfig=${this.kubeconfig}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${await freePort()}`,
          '--leader-elect=false',
          `--service-account-private-key-file=${pki.serviceAccountKey}`,
          `--root-ca-file=${pki.caCert}`,
          '--controllers=*',
          '--profiling=false',
          '--v=1',
        ],
        path.join(logs, 'kube-controller-manager.log'),
      ),
    );
    await waitFor(
      'the default ServiceAccount (controller-manager running)',
      () => this.kubectl.get('serviceaccount', 'default', 'default') ?? this.failIfDead(),
      90_000,
    );
  }

  /** Throws with a process's last log lines when one of them has exited; undefined otherwise. */
  public failIfDead(): undefined {
    const dead = this.processes.find((p) => !p.alive);
    if (dead) throw new Error(`${dead.name} exited:\n${dead.tail()}`);
    return undefined;
  }

  /** Stops every process of the control plane. */
  public async stop(): Promise<void> {
    for (const p of [...this.processes].reverse()) await p.stop();
  }

  /** The logs folder, for failure messages. */
  public get logs(): string {
    return path.join(this.dir, 'logs');
  }
}
