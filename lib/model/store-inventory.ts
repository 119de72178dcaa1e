import * as path from 'path';
import { parse } from 'csv-parse/sync';
import type { AddStoresOptions } from './contract';
import { EdgefleetError } from '../errors/edgefleet-error';
import { looksLikePrivateKey } from '../errors/shown-text';
import { AGE_RECIPIENT_HINT, PRIVATE_KEY_FIX, ageRecipientProblem } from '../prop-checks/age-recipient';
import { DNS_LABEL_HINT, isDnsLabel, isQuantity } from '../prop-checks/checks';
import { quantityValue } from '../prop-checks/quantity';
import { readInputFile } from '../util/input-file';
import { shownPath } from '../util/shown-path';

/**
 * Largest inventory read: a store's row takes 100 to 300 bytes, so 16 MiB hold more than 50,000 stores
 * (the customer's 10,000 take 2 MiB), while a runaway file is refused before it is read.
 */
export const MAX_INVENTORY_BYTES = 16 * 2 ** 20;

/** One store of an inventory file, with the line it came from. */
export interface InventoryRow<V = Record<string, string>> {
  /** Line of the row in the file (1-based), for messages. */
  readonly line: number;
  /** The row's values by column name: trimmed text, or typed by an {@link InventoryColumns} schema. */
  readonly values: V;
}

/** The outcome of reading one cell: its value, or what the column accepts instead. */
type CellResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly accepts: string };

/**
 * The type of one inventory column: which values it accepts, and what an empty cell means (by
 * default: `undefined`; see {@link InventoryColumn.required} and {@link InventoryColumn.withDefault}).
 * A value the column does not accept is an error naming file, line, column, value and the accepted
 * values; nothing is guessed, so a `Yes` or `Fleet` never silently means something else.
 */
export class InventoryColumn<T> {
  /** Any text. */
  public static text(): InventoryColumn<string | undefined> {
    return new InventoryColumn<string | undefined>((v) => ({ ok: true, value: v }));
  }

  /** One of `values`, spelled exactly (case matters). */
  public static oneOf<V extends string>(values: readonly V[]): InventoryColumn<V | undefined> {
    return new InventoryColumn<V | undefined>((v) =>
      values.includes(v as V) ? { ok: true, value: v as V } : { ok: false, accepts: `one of ${values.map((x) => `"${x}"`).join(', ')}` },
    );
  }

  /** `yes` (true) or `no` (false), lower case. */
  public static yesNo(): InventoryColumn<boolean | undefined> {
    return new InventoryColumn<boolean | undefined>((v) =>
      v === 'yes' || v === 'no' ? { ok: true, value: v === 'yes' } : { ok: false, accepts: '"yes" or "no"' },
    );
  }

  /** A Kubernetes quantity of more than zero, such as `16Gi` or `500m`. */
  public static quantity(): InventoryColumn<string | undefined> {
    return new InventoryColumn<string | undefined>((v) =>
      isQuantity(v) && quantityValue(v) > 0 ? { ok: true, value: v } : { ok: false, accepts: 'a Kubernetes quantity of more than 0, such as "16Gi"' },
    );
  }

  /** A whole number of at least `min`. */
  public static integer(min = 0): InventoryColumn<number | undefined> {
    return new InventoryColumn<number | undefined>((v) =>
      /^[0-9]+$/.test(v) && Number(v) >= min ? { ok: true, value: Number(v) } : { ok: false, accepts: `a whole number of at least ${min}` },
    );
  }

  /** An RFC 1123 label such as `store-001` (a Kubernetes name). */
  public static dnsLabel(): InventoryColumn<string | undefined> {
    return new InventoryColumn<string | undefined>((v) =>
      isDnsLabel(v) ? { ok: true, value: v } : { ok: false, accepts: `an RFC 1123 label (${DNS_LABEL_HINT})` },
    );
  }

  /** A store's age public key (`age1...`, from `age-keygen`), checksum included. */
  public static ageRecipient(): InventoryColumn<string | undefined> {
    return new InventoryColumn<string | undefined>((v) => {
      if (ageRecipientProblem(v, 'x25519') === undefined) return { ok: true, value: v };
      return {
        ok: false,
        accepts: looksLikePrivateKey(v) ? `an age public key, never a private key: ${PRIVATE_KEY_FIX}` : `${AGE_RECIPIENT_HINT}, copied whole`,
      };
    });
  }

  private constructor(
    private readonly parseCell: (value: string) => CellResult<T>,
    /** Whether every store must fill the column (it must then also be in the header). */
    public readonly isRequired = false,
    private readonly emptyValue?: T,
  ) {}

  /** Every store must fill this column. */
  public required(): InventoryColumn<Exclude<T, undefined>> {
    return new InventoryColumn<Exclude<T, undefined>>(this.parseCell as (v: string) => CellResult<Exclude<T, undefined>>, true);
  }

  /** An empty cell (or a column absent from the header) means `value`. */
  public withDefault(value: Exclude<T, undefined>): InventoryColumn<Exclude<T, undefined>> {
    return new InventoryColumn<Exclude<T, undefined>>(this.parseCell as (v: string) => CellResult<Exclude<T, undefined>>, false, value);
  }

  /** Reads one cell; `undefined` for an empty cell. @internal */
  public read(cell: string | undefined): CellResult<T> {
    return cell ? this.parseCell(cell) : { ok: true, value: this.emptyValue as T };
  }
}

/** The columns of an inventory besides `id`, by name, each with its type. */
export type InventoryColumns = Record<string, InventoryColumn<unknown>>;

/** A row's values as an {@link InventoryColumns} schema types them; `id` is always there. */
export type InventoryValues<C extends InventoryColumns> = {
  /** The store id, from the column `id` that every inventory has. */
  readonly id: string;
} & { readonly [K in keyof C]: C[K] extends InventoryColumn<infer T> ? T : never };

/** Options of {@link readStoreInventory}. */
export interface ReadStoreInventoryOptions<C extends InventoryColumns> {
  /** The columns besides `id` and their types; a column the header has but the schema does not declare is an error. */
  readonly columns: C;
}

/**
 * Reads a CSV inventory of stores (a header row, then one store per row; `#` starts a comment). Its
 * `id` column is required, unique and a valid store id. With `columns`, every other column is read
 * as its declared type; without, every value is text. Every problem is reported at once, each with
 * its line. The file must be a regular file of at most 16 MiB, not a symbolic link out of its folder,
 * checked before it is read.
 */
export function readStoreInventory(file: string): InventoryRow[];
export function readStoreInventory<C extends InventoryColumns>(
  file: string,
  options: ReadStoreInventoryOptions<C>,
): InventoryRow<InventoryValues<C>>[];
export function readStoreInventory<C extends InventoryColumns>(file: string, options?: ReadStoreInventoryOptions<C>): InventoryRow<any>[] {
  const shown = shownPath(file);
  const records = parseCsv(file, shown);
  if (records.length === 0) throw new EdgefleetError(`${shown}: no stores (add a header row and one row per store)`);
  const header = Object.keys(records[0].record);
  if (!header.includes('id')) {
    throw new EdgefleetError(`${shown}: the header has no column "id" (the columns are ${header.map((c) => `"${c}"`).join(', ') || 'none'})`);
  }
  const rows = records.map(({ record, info }) => ({ line: info.lines, values: record }));
  if (options) return typedInventoryRows(rows, options.columns, file, header);
  throwIfAny(idProblems(rows, shown));
  return rows;
}

/**
 * Types rows read elsewhere (or generated) with an {@link InventoryColumns} schema, exactly as
 * {@link readStoreInventory} does for a file; `file` names them in messages.
 */
export function typedInventoryRows<C extends InventoryColumns>(
  rows: InventoryRow[],
  columns: C,
  file: string,
  header: string[] = [...new Set(rows.flatMap((r) => Object.keys(r.values)))],
): InventoryRow<InventoryValues<C>>[] {
  const source = shownPath(file);
  const declared = Object.keys(columns);
  const problems: string[] = [];
  const undeclared = header.filter((c) => c !== 'id' && !declared.includes(c));
  if (undeclared.length > 0) {
    problems.push(
      `${source}: the header has column ${undeclared.map((c) => `"${c}"`).join(', ')}, which the inventory's schema does not declare (declare ` +
        `${undeclared.length === 1 ? 'it' : 'them'} in columns, or fix the name; declared: "id", ${declared.map((c) => `"${c}"`).join(', ')})`,
    );
  }
  const missing = declared.filter((c) => columns[c].isRequired && !header.includes(c));
  if (missing.length > 0) {
    problems.push(
      `${source}: the header has no column ${missing.map((c) => `"${c}"`).join(', ')} (every store needs one; the columns are ` +
        `${header.map((c) => `"${c}"`).join(', ')})`,
    );
  }
  throwIfAny(problems);

  const typed = rows.map(({ line, values }) => {
    const out: Record<string, unknown> = { id: values.id };
    for (const [name, column] of Object.entries(columns)) {
      const cell = values[name];
      if (!cell && column.isRequired) {
        problems.push(`${source} line ${line}${storeOf(values)}: column "${name}" is empty (every store needs one)`);
        continue;
      }
      const result = column.read(cell);
      if (result.ok) out[name] = result.value;
      else problems.push(`${source} line ${line}${storeOf(values)}, column "${name}": "${cell}" is not accepted (use ${result.accepts})`);
    }
    return { line, values: out as InventoryValues<C> };
  });
  throwIfAny([...problems, ...idProblems(rows, source)].sort(byLine));
  return typed;
}

/**
 * How {@link EdgeFleet.addStores} takes inventory rows: a row's store depends on the row's values,
 * not on its line (so moving a row renders no store again), and a problem in the row's store is
 * located at its line, e.g. `stores/inventory.csv line 7: store "store-006": ...`.
 *
 * ```ts
 * fleet.addStores(rows, (fleet, row) => defineStore(fleet, row.values), inventoryRowOptions(INVENTORY));
 * ```
 */
export function inventoryRowOptions<V>(file: string): AddStoresOptions<InventoryRow<V>> {
  const shown = shownPath(file);
  return { inputsOf: (row) => row.values, where: (row) => `${shown} line ${row.line}` };
}

/** Reports every problem of the inventory at once. */
function throwIfAny(problems: string[]): void {
  if (problems.length === 0) return;
  throw new EdgefleetError(
    `${problems.length} problem${problems.length === 1 ? '' : 's'} in the store inventory:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

/** `: store "<id>"` for a row with an id, so that a problem in it names the store as well as the line. */
function storeOf(values: Record<string, string | undefined>): string {
  return values.id ? `: store "${values.id}"` : '';
}

/** Orders problems by their line number, problems about the whole file first. */
function byLine(a: string, b: string): number {
  const line = (p: string) => Number(/ line (\d+)/.exec(p)?.[1] ?? 0);
  return line(a) - line(b);
}

/** Where an id is missing, not a valid store id, or used twice. */
function idProblems(rows: InventoryRow[], source: string): string[] {
  const problems: string[] = [];
  const firstLineOfId = new Map<string, number>();
  for (const { line, values } of rows) {
    const id = values.id;
    if (!id) {
      problems.push(`${source} line ${line}: column "id" is empty (every store needs one)`);
      continue;
    }
    if (!isDnsLabel(id)) problems.push(`${source} line ${line}: id "${id}" is not an RFC 1123 label (${DNS_LABEL_HINT})`);
    const first = firstLineOfId.get(id);
    if (first !== undefined) problems.push(`${source} line ${line}: id "${id}" is already used on line ${first} (store ids must be unique)`);
    else firstLineOfId.set(id, line);
  }
  return problems;
}

/** The records of a CSV file, each with its line; `shown` names the file in messages. */
function parseCsv(file: string, shown: string): Array<{ record: Record<string, string>; info: { lines: number } }> {
  const read = readInputFile(file, { folder: path.dirname(path.resolve(file)), maxBytes: MAX_INVENTORY_BYTES });
  if ('missing' in read) throw new EdgefleetError(`${shown}: cannot read the store inventory (ENOENT)`);
  if ('refused' in read) {
    throw new EdgefleetError(
      `${shown}: cannot read the store inventory: it ${read.refused} (keep the inventory a regular file of at most 16 MiB in its folder)`,
    );
  }
  try {
    return parse(read.content.toString('utf8'), {
      columns: true,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    });
  } catch (e: any) {
    throw new EdgefleetError(`${shown} line ${e.lines ?? '?'}: ${csvProblem(e)}`);
  }
}

function csvProblem(e: any): string {
  if (e.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' || e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
    const id = e.record?.[(e.columns ?? []).findIndex((c: any) => (c?.name ?? c) === 'id')];
    return (
      `${typeof id === 'string' && id !== '' ? `store "${id}": ` : ''}the row has ${e.record?.length ?? 'a different number of'} fields but the ` +
      `header has ${e.columns?.length ?? 'another number'} (check for a missing or extra comma)`
    );
  }
  return `${e.message} (fix the CSV syntax)`;
}
