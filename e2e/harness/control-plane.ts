import * as path from 'path';
import { binaries } from './binaries';
import { Pki, makePki, writeKubeconfig } from './certificates';
import { Kubectl } from './kubectl';
import { ManagedProcess, freePort, waitFor } from './processes';

/** Where the API server is reached, and the Services' addresses. */
export interface ControlPlaneNetwork {
  /** The address the API server listens on and advertises: the endpoint of the `kubernetes` Service. */
  readonly address: string;
  /** The Service cluster IP range. */
  readonly serviceCidr: string;
  /** The `kubernetes` Service's cluster IP (the range's first address), which the serving certificate names. */
  readonly apiServiceIp: string;
}

/** Without a node: the API server on loopback only. */
const LOOPBACK_ONLY: ControlPlaneNetwork = { address: '127.0.0.1', serviceCidr: '10.96.0.0/24', apiServiceIp: '10.96.0.1' };

/**
 * A store's Kubernetes control plane as real processes: etcd, kube-apiserver (RBAC, client
 * certificates, service-account tokens) and kube-controller-manager, whose namespace and
 * garbage-collector controllers really delete what a removed parent takes with it. Without a real
 * node (RealNode) pods are created but never run, and the API server listens on 127.0.0.1 only.
 */
export class ControlPlane {
  /** Starts a fresh control plane with its state in `dir`; its API server at `network.address` (127.0.0.1 when not given). */
  public static async start(dir: string, network: ControlPlaneNetwork = LOOPBACK_ONLY): Promise<ControlPlane> {
    const plane = new ControlPlane(dir, network);
    await plane.boot();
    return plane;
  }

  public readonly kubeconfig: string;
  public readonly kubectl: Kubectl;
  /** The certificates: the CA also signs the clients a node trusts. */
  public readonly pki: Pki;
  private readonly processes: ManagedProcess[] = [];

  private constructor(
    public readonly dir: string,
    public readonly network: ControlPlaneNetwork,
  ) {
    this.kubeconfig = path.join(dir, 'admin.kubeconfig');
    this.kubectl = new Kubectl(this.kubeconfig);
    this.pki = makePki(path.join(dir, 'pki'), network === LOOPBACK_ONLY ? [] : [network.address, network.apiServiceIp]);
  }

  private async boot(): Promise<void> {
    const bin = binaries();
    const pki = this.pki;
    const { address, serviceCidr } = this.network;
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
          `--bind-address=${address}`,
          `--advertise-address=${address}`,
          `--secure-port=${apiPort}`,
          `--cert-dir=${path.join(this.dir, 'apiserver')}`,
          `--tls-cert-file=${pki.serverCert}`,
          `--tls-private-key-file=${pki.serverKey}`,
          `--client-ca-file=${pki.caCert}`,
          '--authorization-mode=RBAC',
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-account-key-file=${pki.serviceAccountPub}`,
          `--service-account-signing-key-file=${pki.serviceAccountKey}`,
          `--service-cluster-ip-range=${serviceCidr}`,
          // `kubectl logs` and `exec` reach a node's kubelet at its InternalIP, as the admin.
          '--kubelet-preferred-address-types=InternalIP',
          `--kubelet-client-certificate=${pki.adminCert}`,
          `--kubelet-client-key=${pki.adminKey}`,
          '--allow-privileged=true',
          '--profiling=false',
          '--v=1',
        ],
        path.join(logs, 'kube-apiserver.log'),
      ),
    );
    writeKubeconfig(this.kubeconfig, `https://${address}:${apiPort}`, pki);
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

  /** The processes running now, for measurements. */
  public get running(): readonly ManagedProcess[] {
    return this.processes.filter((p) => p.alive);
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
