import * as fs from 'fs';
import * as path from 'path';
import { binaries } from './binaries';
import { FLUX_NAMESPACE } from './flux-controllers';
import { Kubectl } from './kubectl';
import { OciRegistry } from './oci-registry';
import { run } from './processes';
import { OciPublishResult, publishOciArtifacts } from '../../lib/publish/publish-oci-artifacts';

/** The repository prefix of the stores' artifacts in the suite's registry. */
export const OCI_PREFIX = 'edgefleet/stores';

/** The password of the publisher's cosign key (cosign keys are always encrypted). */
const KEY_PASSWORD = 'e2e-cosign-password';

/** What the publisher's CI holds: the registry login (a user that may push) and the cosign key pair. */
export class OciPublisher {
  /** Starts the registry with a publisher user, and makes a cosign key pair in `dir`. */
  public static async start(dir: string): Promise<OciPublisher> {
    fs.mkdirSync(dir, { recursive: true });
    const registry = await OciRegistry.start({
      dir: path.join(dir, 'registry'),
      prefix: OCI_PREFIX,
      publisher: { username: 'publisher', password: 'publisher-password' },
    });
    const publisher = new OciPublisher(dir, registry);
    publisher.generateKeyPair(path.join(dir, 'keys'));
    return publisher;
  }

  private constructor(
    private readonly dir: string,
    public readonly registry: OciRegistry,
  ) {}

  /** The stores' repositories, as the fleet's `ociArtifacts.url` names them. */
  public get url(): string {
    return `oci://${this.registry.host}/${OCI_PREFIX}`;
  }

  /** The cosign key pair that signs the fleet's artifacts. */
  public get keys(): { key: string; pub: string } {
    return { key: path.join(this.dir, 'keys', 'cosign.key'), pub: path.join(this.dir, 'keys', 'cosign.pub') };
  }

  /** A cosign key pair in `folder` that is not the publisher's: an attacker's. */
  public generateKeyPair(folder: string): { key: string; pub: string } {
    fs.mkdirSync(folder, { recursive: true });
    run(binaries().cosign, ['generate-key-pair'], { cwd: folder, env: this.toolEnv('publisher') });
    return { key: path.join(folder, 'cosign.key'), pub: path.join(folder, 'cosign.pub') };
  }

  /** The environment of oras and cosign run as `user`: its registry login, the key's password, the suite's tools first on PATH. */
  public toolEnv(user: string): NodeJS.ProcessEnv {
    const tools = path.dirname(binaries().oras);
    return { ...process.env, PATH: `${tools}:${process.env.PATH}`, DOCKER_CONFIG: this.registry.dockerConfig(user), COSIGN_PASSWORD: KEY_PASSWORD };
  }

  /** `edgefleet publish --oci <registry>/<prefix> --sign-key <key> --plain-http` in the fleet's working clone, after a merge. */
  public publish(work: string, options: { signKey?: string; remove?: string[] } = {}): Promise<OciPublishResult> {
    return publishOciArtifacts({
      repo: work,
      to: `${this.registry.host}/${OCI_PREFIX}`,
      signKey: options.signKey ?? this.keys.key,
      remove: options.remove,
      plainHttp: true,
      env: this.toolEnv('publisher'),
    });
  }

  /** The digest of the manifest that `tag` of the store's repository points at, as the publisher reads it. */
  public digestOf(storeId: string, tag = 'latest'): string {
    const descriptor = run(
      binaries().oras,
      ['manifest', 'fetch', '--plain-http', '--descriptor', `${this.registry.host}/${OCI_PREFIX}/${storeId}:${tag}`],
      {
        env: this.toolEnv('publisher'),
      },
    );
    return JSON.parse(descriptor).digest;
  }

  /**
   * What a store's operator creates in `flux-system` before bootstrap: the store's pull Secret, with
   * credentials that read its own repository only, and the publisher's cosign public key.
   */
  public createStoreSecrets(kubectl: Kubectl, storeId: string): void {
    this.registry.addUser(storeId, `${storeId}-password`);
    const secrets = [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/dockerconfigjson',
        metadata: { name: 'edgefleet-oci-pull', namespace: FLUX_NAMESPACE },
        stringData: { '.dockerconfigjson': this.registry.pullSecret(storeId) },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'edgefleet-cosign-public-key', namespace: FLUX_NAMESPACE },
        stringData: { 'cosign.pub': fs.readFileSync(this.keys.pub, 'utf8') },
      },
    ];
    kubectl.apply({
      yaml: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLUX_NAMESPACE } }, ...secrets].map((o) => JSON.stringify(o)).join('\n'),
    });
  }

  /** Stops the registry. */
  public async stop(): Promise<void> {
    await this.registry.close();
  }
}
