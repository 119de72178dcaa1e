import { execFile } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';
import { EdgefleetError } from '../errors/edgefleet-error';

/** The image manifest of an artifact, as much of it as publish reads. */
export interface ArtifactManifest {
  /** Its layers; a Flux artifact has one, the files. */
  readonly layers?: Array<{ readonly digest?: string }>;
  /** Its annotations: the date, source and revision it was published from. */
  readonly annotations?: Record<string, string>;
}

/** One artifact to push: its repository and tag, the files (in `folder`) and the manifest's annotations. */
export interface ArtifactPush {
  /** `<registry>/<repository>:<tag>`. */
  readonly reference: string;
  /** The folder that holds `layerFile` and `configFile`. */
  readonly folder: string;
  /** The layer, with its media type, as `<file>:<media type>`. */
  readonly layer: string;
  /** The configuration, with its media type, as `<file>:<media type>`. */
  readonly config: string;
  /** The manifest's annotations. */
  readonly annotations: Record<string, string>;
}

/** Options of {@link RegistryTools}. */
export interface RegistryToolsOptions {
  /** Talk plain HTTP to the registry (a test registry on loopback). @default false */
  readonly plainHttp?: boolean;
  /** The cosign key to sign with: a key file, or a KMS URI (`awskms://…`, `gcpkms://…`, `hashivault://…`). @default - none: signing fails */
  readonly signKey?: string;
  /** Environment of the tools: registry credentials come from their Docker config, the key's password from `COSIGN_PASSWORD`. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The folder the tools run in, which a relative key file is found from. @default - this process's working folder */
  readonly cwd?: string;
}

/** A tool's run that failed: what it printed. */
class ToolFailure extends Error {
  constructor(
    readonly tool: string,
    readonly stderr: string,
  ) {
    super(stderr.trim().split('\n').slice(-3).join(' ') || `${tool} failed`);
  }
}

/**
 * The registry as publish uses it, through the pinned upstream clients rather than a protocol of our
 * own: ORAS (the CNCF's OCI registry client, which pushes Flux's artifact format as `flux push artifact`
 * does) for manifests, pushes and tags, and cosign for signatures, which source-controller verifies.
 * Both take the registry's credentials from the Docker config that `oras login` or `docker login` wrote.
 */
export class RegistryTools {
  private readonly plainHttp: string[];

  constructor(private readonly options: RegistryToolsOptions = {}) {
    this.plainHttp = options.plainHttp ? ['--plain-http'] : [];
  }

  /**
   * Checks, before anything is pushed, what every store would otherwise fail on: the tools are there
   * and, to sign with a key file, the file exists and its password is in `COSIGN_PASSWORD` (without
   * it cosign would wait for one on the terminal).
   */
  public async checkReady(options: { sign: boolean }): Promise<void> {
    await this.run('oras', ['version']).catch((e) => {
      throw this.explained(e, 'running oras');
    });
    if (!options.sign) return;
    await this.run('cosign', ['version']).catch((e) => {
      throw this.explained(e, 'running cosign');
    });
    const key = this.options.signKey!;
    if (key.includes('://')) return;
    if (!existsSync(path.resolve(this.options.cwd ?? '.', key))) {
      throw new EdgefleetError(`--sign-key "${key}" does not exist (give the cosign private key file, or a KMS URI such as "awskms://...")`);
    }
    if ((this.options.env ?? process.env).COSIGN_PASSWORD === undefined) {
      throw new EdgefleetError(`--sign-key "${key}" is a key file: set COSIGN_PASSWORD to its password (empty if it has none)`);
    }
  }

  /** The manifest that `reference` names, or undefined when the registry has none by that name. */
  public async manifest(reference: string): Promise<ArtifactManifest | undefined> {
    try {
      return JSON.parse(await this.run('oras', ['manifest', 'fetch', ...this.plainHttp, reference]));
    } catch (e) {
      if (e instanceof ToolFailure && /not found/i.test(e.stderr)) return undefined;
      throw this.explained(e, `reading ${reference}`);
    }
  }

  /** Pushes an artifact; returns its manifest's digest. */
  public async push(artifact: ArtifactPush): Promise<string> {
    const annotations = Object.entries(artifact.annotations).flatMap(([key, value]) => ['--annotation', `${key}=${value}`]);
    const args = ['push', ...this.plainHttp, '--format', 'json', '--config', artifact.config, ...annotations, artifact.reference, artifact.layer];
    try {
      const digest = JSON.parse(await this.run('oras', args, artifact.folder)).digest;
      if (typeof digest !== 'string') throw new ToolFailure('oras', 'oras push printed no digest');
      return digest;
    } catch (e) {
      throw this.explained(e, `pushing ${artifact.reference}`);
    }
  }

  /** Signs the manifests `references` (each `<repository>@<digest>`) with the publisher's key, in one run of cosign. */
  public async sign(references: string[]): Promise<void> {
    if (!this.options.signKey) throw new EdgefleetError('no key to sign with (give publish --oci a cosign key with --sign-key)');
    // No transparency log: the stores verify with the publisher's public key, offline, and a public log
    // would publish the fleet's store names.
    const insecure = this.options.plainHttp ? ['--allow-http-registry', '--allow-insecure-registry'] : [];
    try {
      await this.run('cosign', ['sign', '--key', this.options.signKey, '--tlog-upload=false', '--yes', ...insecure, ...references]);
    } catch (e) {
      throw this.explained(e, `signing ${references.length === 1 ? references[0] : `${references.length} artifacts`}`);
    }
  }

  /** Points `tag` of the repository at the manifest `reference` (`<repository>@<digest>`). */
  public async tag(reference: string, tag: string): Promise<void> {
    try {
      await this.run('oras', ['tag', ...this.plainHttp, reference, tag]);
    } catch (e) {
      throw this.explained(e, `tagging ${reference} as ${tag}`);
    }
  }

  private run(tool: string, args: string[], cwd = this.options.cwd): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(tool, args, { cwd, env: this.options.env ?? process.env, maxBuffer: 2 ** 26, encoding: 'utf8' }, (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(missingTool(tool));
        else if (error) reject(new ToolFailure(tool, stderr || error.message));
        else resolve(stdout);
      });
    });
  }

  private explained(e: unknown, doing: string): Error {
    if (e instanceof ToolFailure) return new EdgefleetError(`${doing}: ${e.tool}: ${e.message}`);
    return e as Error;
  }
}

function missingTool(tool: string): EdgefleetError {
  const where = tool === 'oras' ? 'https://oras.land/docs/installation' : 'https://docs.sigstore.dev/cosign/system_config/installation/';
  return new EdgefleetError(`${tool} was not found on PATH: publish --oci pushes with the ${tool} CLI (install it: ${where})`);
}
