import * as path from 'path';
import { parseArgs } from 'util';
import { EdgefleetError, OutputWriteError } from '../errors/edgefleet-error';
import type { EdgeFleet } from '../fleet/edge-fleet';
import { synthesize } from '../synth/synthesize';

const USAGE = `usage: edgefleet synth [--fleet <module>] [--out <dir>] [--quiet]

  synth    validate the fleet and write its GitOps tree; only changed files are written,
           and nothing is written when the fleet has a problem

  --fleet  compiled module that exports buildFleet(): EdgeFleet (default: build/stores/index.js)
  --out    output folder (default: dist)
  --quiet  print nothing but problems`;

/** A fleet definition module, as `--fleet` names it. */
interface FleetModule {
  /** Builds the fleet to synthesize. */
  buildFleet?: () => EdgeFleet;
}

/** Where the CLI prints: stdout and stderr, or a test's buffers. */
export interface Output {
  /** Prints `text` as it is. */
  write(text: string): unknown;
}

/** Runs the command line; returns the process exit code. */
export function main(argv: string[], out: Output = process.stdout, err: Output = process.stderr): number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        fleet: { type: 'string', default: 'build/stores/index.js' },
        out: { type: 'string', default: 'dist' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e: any) {
    err.write(`edgefleet: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  const [command] = args.positionals;
  if (args.values.help || command === undefined) {
    (args.values.help ? out : err).write(`${USAGE}\n`);
    return args.values.help ? 0 : 2;
  }
  if (command !== 'synth') {
    err.write(`edgefleet: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }

  const started = process.hrtime.bigint();
  try {
    const fleet = loadFleet(args.values.fleet!);
    const result = synthesize(fleet, { outdir: args.values.out, onProgress: args.values.quiet ? undefined : progressPrinter(err) });
    if (!args.values.quiet) {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      out.write(`edgefleet: ${result.stores} stores, ${result.files} files in ${args.values.out}/: ${result.written.length} written, ${result.deleted.length} deleted, ${result.unchanged} unchanged (${seconds.toFixed(1)}s)\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof OutputWriteError) {
      err.write(`edgefleet: synth failed while writing.\n${e.message}\n`);
      return 1;
    }
    if (EdgefleetError.isEdgefleetError(e)) {
      err.write(`edgefleet: synth failed; ${args.values.out}/ was left as it was.\n${e.message}\n`);
      return 1;
    }
    err.write(`edgefleet: internal error (a bug in edgefleet; please report it with this trace); ${args.values.out}/ was left as it was.\n${(e as Error).stack ?? e}\n`);
    return 70;
  }
}

function loadFleet(modulePath: string): EdgeFleet {
  const resolved = path.resolve(modulePath);
  let mod: FleetModule;
  try {
    mod = require(resolved);
  } catch (e: any) {
    if (EdgefleetError.isEdgefleetError(e)) throw e;
    if (e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(resolved)) {
      throw new EdgefleetError(`--fleet ${modulePath}: no such module (compile the fleet first with "npx projen compile", or use "npm run synth")`);
    }
    throw e;
  }
  if (typeof mod.buildFleet !== 'function') {
    throw new EdgefleetError(`--fleet ${modulePath}: the module exports no function buildFleet() (export one that returns your EdgeFleet)`);
  }
  return mod.buildFleet();
}

/** Reports progress about every 10% on fleets large enough for it to matter. */
function progressPrinter(err: Output): (rendered: number, total: number) => void {
  return (rendered, total) => {
    const step = Math.ceil(total / 10);
    if (total >= 500 && (rendered % step === 0 || rendered === total)) {
      err.write(`edgefleet: rendered ${rendered}/${total} stores\n`);
    }
  };
}
