import { IConstruct } from 'constructs';
import { fail } from '../errors/edgefleet-error';
import { checkDnsLabel } from '../prop-checks/checks';
import { overlay } from '../util/overlay';

/**
 * Where the Flux stores whose `sync.source` is `'oci'` pull from: one OCI repository per store, which
 * `edgefleet publish --oci` fills with one signed artifact per release of the store.
 */
export interface OciArtifacts {
  /**
   * The stores' repositories as the stores reach them, `oci://<registry>/<prefix>`: store `<id>` pulls
   * `<url>/<id>`. CI may push elsewhere (a primary the stores' registry mirrors): `publish --oci` names it.
   */
  readonly url: string;
  /** The tag every store follows; `edgefleet publish --oci` moves it to each new artifact of the store. @default 'latest' */
  readonly tag?: string;
  /**
   * The store's Secret in `flux-system` (type `kubernetes.io/dockerconfigjson`, created at bootstrap) with
   * credentials that read only the store's own repository.
   * @default 'edgefleet-oci-pull'
   */
  readonly pullSecretName?: string;
  /**
   * The Secret in `flux-system` holding the cosign public keys (`<name>.pub`) of the publisher; the store's
   * source-controller refuses an artifact that none of them signed.
   * @default 'edgefleet-cosign-public-key'
   */
  readonly cosignKeySecretName?: string;
  /** The Secret in `flux-system` with the `ca.crt` of a registry whose certificate a private CA issued. @default - the system's CAs */
  readonly caSecretName?: string;
  /**
   * Fetch over plain HTTP, for a registry on a network the stores trust (a test registry on loopback).
   * Over HTTPS it also turns off the check of the registry's certificate (source-controller's
   * `spec.insecure`), which would hand the store's pull credentials to whoever sits in between: for a
   * private CA, use `caSecretName` instead.
   * @default false
   */
  readonly insecure?: boolean;
}

/** {@link OciArtifacts} with every field decided (`caSecretName` stays optional). */
export interface ResolvedOciArtifacts extends Required<Omit<OciArtifacts, 'caSecretName'>> {
  /** The Secret with the registry's CA certificate. @default - none: the system's CAs */
  readonly caSecretName?: string;
}

/** Media type of the configuration of a Flux artifact, as `flux push artifact` writes it. */
export const FLUX_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.flux.config.v1+json';

/** Media type of the one layer of a Flux artifact: the files, as a gzipped tarball. */
export const FLUX_CONTENT_MEDIA_TYPE = 'application/vnd.cncf.flux.content.v1.tar+gzip';

/** The file of a store's `clusters/<id>/` folder that holds its OCIRepository and `flux-system` Kustomization. */
export const OCI_SYNC_FILE = 'flux-system/oci-sync.yaml';

/** An OCI tag (distribution-spec): letters, digits, `_`, `.` and `-`, at most 128, not starting with `.` or `-`. */
const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** `<host[:port]>/<path>`, the path in lower-case OCI repository components (distribution-spec). */
const REGISTRY_AND_PATH = '[A-Za-z0-9.-]+(:[0-9]+)?(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)+';

/** A registry and repository prefix as a publisher pushes to it: `<host[:port]>/<path>`. */
export const OCI_LOCATION = new RegExp(`^${REGISTRY_AND_PATH}$`);

/** The same, as the stores' `OCIRepository` names it: `oci://<host[:port]>/<path>`. */
const OCI_URL = new RegExp(`^oci:\\/\\/${REGISTRY_AND_PATH}$`);

/** Checks the OCI settings and fills in the defaults (no trailing `/` in `url`). */
export function resolveOciArtifacts(scope: IConstruct, given: OciArtifacts): ResolvedOciArtifacts {
  const defaults = { tag: 'latest', pullSecretName: 'edgefleet-oci-pull', cosignKeySecretName: 'edgefleet-cosign-public-key', insecure: false };
  const settings: ResolvedOciArtifacts = overlay<OciArtifacts>({ url: '', ...defaults } as Required<OciArtifacts>, given);
  const url = settings.url.replace(/\/+$/, '');
  if (!OCI_URL.test(url)) {
    fail(
      scope,
      `ociArtifacts.url "${settings.url}" is not an OCI repository prefix the stores can pull (use "oci://<registry>/<path>" in lower case, ` +
        `such as "oci://registry.example.com/edgefleet/stores")`,
    );
  }
  if (!OCI_TAG.test(settings.tag)) {
    fail(scope, `ociArtifacts.tag "${settings.tag}" is not an OCI tag (use letters, digits, "_", "." and "-", such as "latest" or "stable")`);
  }
  for (const prop of ['pullSecretName', 'cosignKeySecretName', 'caSecretName'] as const) {
    if (settings[prop] !== undefined) checkDnsLabel(scope, `ociArtifacts.${prop}`, settings[prop]!);
  }
  return { ...settings, url };
}

/** The repository of store `storeId` under `prefix` (`oci://host/path` or `host/path`). */
export function storeArtifactRepository(prefix: string, storeId: string): string {
  return `${prefix.replace(/\/+$/, '')}/${storeId}`;
}
