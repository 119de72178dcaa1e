import * as fs from 'fs';
import * as path from 'path';
import { StatefulNamespaceMove } from '../model/namespace-move';
import { STATEFUL_KINDS } from '../policies/keep-annotations';
import { parseYamlDocuments } from '../util/parse-yaml';

/** A stateful object of a store that a change moves to another namespace. */
export interface StatefulMove {
  /** Its kind: VirtualMachine, PersistentVolumeClaim or DataVolume. */
  readonly kind: string;
  /** Its name, the same in both namespaces. */
  readonly name: string;
  /** The namespace it leaves. */
  readonly from: string;
  /** The namespace it moves to. */
  readonly to: string;
}

/** A line of a YAML file that declares a stateful object: the cheap test before a file is parsed. */
const STATEFUL_KIND_LINE = new RegExp(`^kind: (${STATEFUL_KINDS.join('|')})$`, 'm');

/**
 * The stateful objects of one store that its new files move to another namespace (same kind and name,
 * another namespace), unless `allowed` declares that move. Nothing is read unless the new files hold a
 * stateful object; then only the `changed` files that could have held one are read as they are in
 * `outdir` (those that still declare a stateful kind, and those deleted).
 */
export function statefulMoves(outdir: string, changed: string[], files: Map<string, string>, allowed?: StatefulNamespaceMove): StatefulMove[] {
  const after = new Map<string, Set<string>>();
  for (const content of files.values()) {
    for (const o of statefulObjects(content)) after.set(`${o.kind}/${o.name}`, (after.get(`${o.kind}/${o.name}`) ?? new Set()).add(o.namespace));
  }
  if (after.size === 0) return [];
  const moves: StatefulMove[] = [];
  for (const file of changed.filter((f) => !files.has(f) || STATEFUL_KIND_LINE.test(files.get(f)!))) {
    const full = path.join(outdir, file);
    for (const old of fs.existsSync(full) ? statefulObjects(fs.readFileSync(full, 'utf8')) : []) {
      const now = after.get(`${old.kind}/${old.name}`);
      if (!now || now.has(old.namespace)) continue;
      for (const to of [...now].sort()) {
        if (allowed?.from !== old.namespace || allowed.to !== to) moves.push({ kind: old.kind, name: old.name, from: old.namespace, to });
      }
    }
  }
  return moves;
}

function statefulObjects(content: string): Array<{ kind: string; name: string; namespace: string }> {
  if (!STATEFUL_KIND_LINE.test(content)) return [];
  return (parseYamlDocuments(content).documents as any[])
    .filter((d) => STATEFUL_KINDS.includes(d?.kind))
    .map((d) => ({ kind: d.kind, name: String(d.metadata?.name), namespace: String(d.metadata?.namespace ?? '') }));
}
