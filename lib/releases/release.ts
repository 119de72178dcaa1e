import { Construct } from 'constructs';
import { IDescribable, fail, problemAt } from '../errors/edgefleet-error';
import { IEdgeFleet, IEdgeStore } from '../model/contract';
import { IDigestible } from '../model/digestible';
import { IRefersToStores, StoreReference } from '../model/refers-to-stores';
import { firstAndMore } from '../util/plural';

/** A new version on its way through the rollout rings. */
export interface ReleaseCandidate {
  /** The new version. */
  readonly version: string;
  /**
   * The last ring that runs it: this ring and the rings before it get `version`, the rings after it
   * keep the stable one. Promoting is moving this one ring further.
   */
  readonly throughRing: string;
}

/** Properties of a {@link Release}. */
export interface ReleaseProps {
  /** The version every store runs unless the candidate or an override says otherwise. */
  readonly stable: string;
  /** A new version rolled out ring by ring. @default - none: every store runs `stable` */
  readonly candidate?: ReleaseCandidate;
  /** Versions by region (the store's `region` label); they win over the rings. @default {} */
  readonly regions?: Record<string, string>;
  /** Versions by store id; they win over everything. @default {} */
  readonly stores?: Record<string, string>;
}

/**
 * A fleet-wide release of one workload version, pinned per ring. Each store gets a concrete version,
 * by this precedence: a store override, then a region override, then the candidate if the store's
 * ring is at or before `candidate.throughRing`, then `stable`.
 */
export class Release extends Construct implements IDescribable, IDigestible, IRefersToStores {
  private readonly props: ReleaseProps;
  private readonly fleet: IEdgeFleet;

  constructor(fleet: IEdgeFleet, id: string, props: ReleaseProps) {
    super(fleet, id);
    this.fleet = fleet;
    this.props = props;
    const versions = [props.stable, props.candidate?.version, ...Object.values(props.regions ?? {}), ...Object.values(props.stores ?? {})];
    for (const version of versions.filter((v): v is string => v !== undefined)) {
      if (!/^[\w][\w.+-]{0,127}$/.test(version)) fail(this, `version "${version}" is not a version or image tag (use something like "4.2.0")`);
    }
    if (props.candidate) {
      if (fleet.rings.length === 0) fail(this, 'candidate needs rollout rings (set rings on the EdgeFleet)');
      if (!fleet.rings.includes(props.candidate.throughRing)) {
        fail(
          this,
          `candidate.throughRing "${props.candidate.throughRing}" is not one of the fleet's rings (use one of ` +
            `${fleet.rings.map((r) => `"${r}"`).join(', ')})`,
        );
      }
    }
  }

  /** How the release is named in messages. */
  public get subject(): string {
    return `Release "${this.node.id}"`;
  }

  /** The release's pins, for the store digests: changing one renders the stores again. */
  public digestInputs(): unknown {
    return this.props;
  }

  /** The store and region pins that name no store of the fleet: a typo would leave the store it meant on the ring's version. */
  public referenceProblems(stores: readonly StoreReference[]): string[] {
    const ids = new Set(stores.map((s) => s.id));
    const regions = [...new Set(stores.map((s) => s.storeLabels.region).filter((r): r is string => r !== undefined))].sort();
    const example = stores.length > 0 ? `, such as "${stores[0].id}"` : '';
    return [
      ...Object.keys(this.props.stores ?? {})
        .filter((id) => !ids.has(id))
        .map((id) =>
          problemAt(this, `stores pin "${id}" names no store of the fleet (use the id of one of its stores${example}, or remove the pin)`),
        ),
      ...Object.keys(this.props.regions ?? {})
        .filter((region) => !regions.includes(region))
        .map((region) =>
          problemAt(
            this,
            `regions pin "${region}" names no region of the fleet's stores (they are in ${firstAndMore(
              regions.map((r) => `"${r}"`),
              8,
            )}; fix the pin or remove it)`,
          ),
        ),
    ];
  }

  /** The version `store` runs. */
  public versionFor(store: IEdgeStore): string {
    const { stores, regions, candidate, stable } = this.props;
    const byStore = stores?.[store.id];
    if (byStore !== undefined) return byStore;
    const byRegion = store.storeLabels.region !== undefined ? regions?.[store.storeLabels.region] : undefined;
    if (byRegion !== undefined) return byRegion;
    if (candidate && store.ring !== undefined && this.fleet.rings.indexOf(store.ring) <= this.fleet.rings.indexOf(candidate.throughRing)) {
      return candidate.version;
    }
    return stable;
  }
}
