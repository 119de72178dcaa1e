import * as fs from 'fs';
import { parse } from 'csv-parse/sync';
import { EdgefleetError } from '../errors/edgefleet-error';
import { DNS_LABEL_HINT, isDnsLabel } from '../prop-checks/checks';

/** One store of an inventory file, with the line it came from. */
export interface InventoryRow {
  /** Line of the row in the file (1-based), for messages. */
  readonly line: number;
  /** The row's values by column name, trimmed. */
  readonly values: Record<string, string>;
}

/** Options of {@link readStoreInventory}. */
export interface ReadStoreInventoryOptions {
  /** Columns every row must fill. @default ['id'] */
  readonly requiredColumns?: string[];
}

/**
 * Reads a CSV inventory of stores (a header row, then one store per row; `#` starts a comment).
 * Every problem is reported at once, each with its line number.
 */
export function readStoreInventory(file: string, options: ReadStoreInventoryOptions = {}): InventoryRow[] {
  const required = options.requiredColumns ?? ['id'];
  const records = parseCsv(file);
  if (records.length === 0) throw new EdgefleetError(`${file}: no stores (add a header row and one row per store)`);
  const problems: string[] = [];
  const header = records.length > 0 ? Object.keys(records[0].record) : [];
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new EdgefleetError(`${file}: the header has no column ${missing.map((c) => `"${c}"`).join(', ')} (the columns are ${header.map((c) => `"${c}"`).join(', ') || 'none'})`);
  }

  const firstLineOfId = new Map<string, number>();
  const rows = records.map(({ record, info }) => ({ line: info.lines, values: record }));
  for (const { line, values } of rows) {
    for (const column of required) {
      if (!values[column]) problems.push(`${file} line ${line}: column "${column}" is empty (every store needs one)`);
    }
    const id = values.id;
    if (!id) continue;
    if (!isDnsLabel(id)) {
      problems.push(`${file} line ${line}: id "${id}" is not an RFC 1123 label (${DNS_LABEL_HINT})`);
    }
    const first = firstLineOfId.get(id);
    if (first !== undefined) {
      problems.push(`${file} line ${line}: id "${id}" is already used on line ${first} (store ids must be unique)`);
    } else {
      firstLineOfId.set(id, line);
    }
  }
  if (problems.length > 0) {
    throw new EdgefleetError(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the store inventory:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return rows;
}

function parseCsv(file: string): Array<{ record: Record<string, string>; info: { lines: number } }> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    throw new EdgefleetError(`${file}: cannot read the store inventory (${e.code ?? e.message})`);
  }
  try {
    return parse(text, { columns: true, comment: '#', comment_no_infix: true, skip_empty_lines: true, trim: true, info: true });
  } catch (e: any) {
    throw new EdgefleetError(`${file} line ${e.lines ?? '?'}: ${csvProblem(e)}`);
  }
}

function csvProblem(e: any): string {
  if (e.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' || e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
    return `the row has ${e.record?.length ?? 'a different number of'} fields but the header has ${e.columns?.length ?? 'another number'} (check for a missing or extra comma)`;
  }
  return `${e.message} (fix the CSV syntax)`;
}
