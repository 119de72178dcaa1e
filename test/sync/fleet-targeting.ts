import * as YAML from 'yaml';

/** The parsed YAML of one generated file. */
export function parse(files: Map<string, string>, file: string): any {
  const content = files.get(file);
  if (content === undefined) throw new Error(`${file} not generated`);
  return YAML.parse(content);
}

/** Clusters a bundle can reach, evaluated the way Fleet does: overrideTargets replace the GitRepo's targets. */
export function reachableClusters(files: Map<string, string>, bundlePath: string): string[] {
  const clusters = [...files.keys()].filter((f) => f.startsWith('fleet/clusters/')).map((f) => parse(files, f));
  const groups = new Map(
    [...files.keys()]
      .filter((f) => f.startsWith('fleet/clustergroups/'))
      .map((f) => parse(files, f))
      .map((g) => [g.metadata.name, g.spec.selector]),
  );
  const gitRepo = [...files.keys()]
    .filter((f) => f.startsWith('fleet/gitrepos/'))
    .map((f) => parse(files, f))
    .find((r) => r.spec.paths.includes(bundlePath));
  const fleetYaml = parse(files, `${bundlePath.replace(/^dist\//, '')}/fleet.yaml`);
  const targets: any[] = fleetYaml.overrideTargets ?? gitRepo.spec.targets ?? [{ clusterGroup: 'default' }];
  const matches = (selector: any, labels: Record<string, string>) => Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return clusters
    .filter((c) =>
      targets.some(
        (t) =>
          (t.clusterName === undefined || t.clusterName === c.metadata.name) &&
          (t.clusterSelector === undefined || matches(t.clusterSelector, c.metadata.labels)) &&
          (t.clusterGroup === undefined || (groups.has(t.clusterGroup) && matches(groups.get(t.clusterGroup), c.metadata.labels))),
      ),
    )
    .map((c) => c.metadata.name)
    .sort();
}
