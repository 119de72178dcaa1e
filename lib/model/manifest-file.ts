import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { StoreTree } from './dist-layout';
import { compareStrings } from '../util/compare-strings';
import { renderedJson } from '../util/rendered-json';

/** The two trees of dist/: what runs in a store, and what the store's sync agent reconciles. */
export type OutputTree = StoreTree;

/** Properties of a {@link ManifestFile}. */
export interface ManifestFileProps {
  /** Which tree of dist/ the file belongs to. */
  readonly tree: OutputTree;
  /** Path of the file inside the store's folder of that tree, e.g. `workloads/pos.yaml`. */
  readonly path: string;
  /** Whether the folder's generated kustomization.yaml lists the file (not so for e.g. fleet.yaml). @default true */
  readonly kustomizeResource?: boolean;
  /**
   * The file's exact content, written byte for byte instead of documents (an encrypted file, which re-serializing would break). @default - the
   * documents, as YAML
   */
  readonly verbatim?: string;
}

const MANIFEST_FILE = Symbol.for('edgefleet.ManifestFile');

/**
 * One YAML file of a store's output: every `ApiObject` below this construct, plus plain documents
 * (such as a kustomize `Kustomization`), written to `dist/<tree>/<store-id>/<path>`.
 */
export class ManifestFile extends Construct {
  /** Whether `c` is a ManifestFile. */
  public static isManifestFile(c: IConstruct): c is ManifestFile {
    return (c as any)[MANIFEST_FILE] === true;
  }

  /** Which tree of dist/ the file belongs to. */
  public readonly tree: OutputTree;
  /** Path of the file inside the store's folder of that tree. */
  public readonly path: string;
  /** Whether the folder's generated kustomization.yaml lists the file. */
  public readonly kustomizeResource: boolean;
  /** The file's exact content, when it is written as it is. */
  public readonly verbatim?: string;
  private readonly plainDocuments: object[] = [];

  constructor(scope: Construct, id: string, props: ManifestFileProps) {
    super(scope, id);
    Object.defineProperty(this, MANIFEST_FILE, { value: true });
    this.tree = props.tree;
    this.path = props.path;
    this.kustomizeResource = props.kustomizeResource ?? true;
    this.verbatim = props.verbatim;
  }

  /** Adds a document that is not a Kubernetes API object, written before the API objects. */
  public addDocument(document: object): void {
    this.plainDocuments.push(document);
  }

  /**
   * The file's documents, resolved: plain documents first, then API objects ordered by kind and name,
   * so that the output does not depend on the order in which they were declared.
   */
  public documents(): object[] {
    const objects = this.apiObjects().map(renderedJson);
    objects.sort((a, b) => compareStrings(objectKey(a), objectKey(b)));
    return [...this.plainDocuments, ...objects];
  }

  /** The API objects below this file, not those of a file nested in it (such as an agent's RBAC, in another layer). */
  public apiObjects(): ApiObject[] {
    const found: ApiObject[] = [];
    const visit = (c: IConstruct): void => {
      for (const child of c.node.children) {
        if (ApiObject.isApiObject(child)) found.push(child);
        if (!ManifestFile.isManifestFile(child)) visit(child);
      }
    };
    visit(this);
    return found;
  }
}

function objectKey(o: any): string {
  return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}
