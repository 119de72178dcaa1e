import * as path from 'path';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'worker_threads';
import type { StoreSummary, BuiltStore } from './store-pass';
import type { FileRecord } from './tree-update';

/** What a worker thread is given. */
export interface StoreWorkerData {
  /** The fleet module, absolute. */
  readonly fleetModule: string;
  /** Digest of the fleet's inputs in the main thread: the worker's fleet must have the same. */
  readonly fleetInputs: string;
  /** Number of declared stores in the main thread's fleet. */
  readonly declarations: number;
  /** The main thread's fleet digest, with which the worker computes each store's digest. */
  readonly storeDigestBase: string;
  /** The declared stores to render, by index, in order. */
  readonly indices: number[];
  /** Counter the worker increments (and notifies) after posting each message. */
  readonly signal: SharedArrayBuffer;
  /** Set to 1 by the main thread to have the worker stop before its next store. */
  readonly control: SharedArrayBuffer;
  /** The output folder, where the worker writes the stores that are new there. */
  readonly outdir: string;
  /** The stores that have folders in the output folder: their files are compared by the main thread. */
  readonly existingStores: string[];
  /** Whether to hash the files written, for the digest cache. */
  readonly recordOutput: boolean;
  /** Where the worker posts its messages. */
  readonly port: MessagePort;
}

/** What a worker thread posts: one store rendered (`files`, `summary`), one store's `problems`, or why it stopped. */
export interface StoreWorkerMessage {
  /** The index of the declared store. */
  readonly index?: number;
  /** The store's digest, computed in the worker. */
  readonly digest?: string;
  /** The store's files, as paths relative to dist/ and contents (a store that has folders in the output folder). */
  readonly files?: Array<[string, string]>;
  /** The store's files as the worker wrote them (a store new in the output folder). */
  readonly written?: FileRecord[];
  /** What synth keeps of the store. */
  readonly summary?: StoreSummary;
  /** The problems found in the store. */
  readonly problems?: string[];
  /** The store as built (id and age key), also when it has problems; none when it could not be built. */
  readonly built?: BuiltStore;
  /** The files the store's constructs read (see `IReadsFiles`). */
  readonly inputFiles?: string[];
  /** Why the worker's fleet is not the main thread's. */
  readonly mismatch?: string;
  /** The error that stopped the worker. */
  readonly fatal?: string;
  /** The worker has stopped: it rendered all its stores, or was told to stop. */
  readonly done?: boolean;
}

/** What every worker is given alike. */
export type WorkerSettings = Omit<StoreWorkerData, 'indices' | 'signal' | 'control' | 'port'>;

/** Fewest stores worth a worker thread: below that, its start (loading the code, building the fleet) costs more than it saves. */
export const MIN_STORES_PER_WORKER = 150;

/**
 * Worker threads rendering declared stores while the main thread renders its own share. Each worker
 * builds the fleet from the fleet module and renders a contiguous range of the stores to render;
 * the main thread takes their results in order, waiting (blocked, so that synth stays synchronous)
 * only when a result is not there yet. The output does not depend on which thread rendered what.
 */
export class StoreWorkers {
  /**
   * Splits `indices` (in order) between the main thread, which renders the first share, and up to
   * `threads - 1` workers, each with at least {@link MIN_STORES_PER_WORKER} stores; starts the workers.
   */
  public static start(indices: number[], threads: number, data: WorkerSettings): StoreWorkers {
    const shares = Math.max(1, Math.min(threads, Math.floor(indices.length / MIN_STORES_PER_WORKER)));
    const size = Math.ceil(indices.length / shares);
    const chunks = Array.from({ length: shares }, (_, i) => indices.slice(i * size, (i + 1) * size)).filter((c) => c.length > 0);
    return new StoreWorkers(chunks.slice(1).map((chunk) => startWorker(data, chunk)));
  }

  private readonly byIndex = new Map<number, RunningWorker>();

  private constructor(private readonly running: RunningWorker[]) {
    for (const worker of running) worker.indices.forEach((index) => this.byIndex.set(index, worker));
  }

  /** Whether a worker renders the store at `index`. */
  public renders(index: number): boolean {
    return this.byIndex.has(index);
  }

  /**
   * The worker's result for the store at `index`, waiting for it; undefined when the worker built
   * another fleet than the main thread (the main thread then renders the store itself).
   * Results must be asked for in each worker's order.
   */
  public result(index: number): StoreWorkerMessage | undefined {
    const worker = this.byIndex.get(index)!;
    if (worker.mismatch) return undefined;
    const message = receive(worker);
    if (message.fatal !== undefined) {
      worker.stopped = true;
      this.stop();
      throw new Error(`a synth worker thread failed: ${message.fatal}`);
    }
    if (message.mismatch !== undefined) {
      worker.mismatch = message.mismatch;
      worker.stopped = true;
      return undefined;
    }
    if (message.index !== index) throw new Error(`a synth worker thread sent store #${message.index} where #${index} was expected`);
    worker.delivered++;
    return message;
  }

  /** Number of workers whose results were used. */
  public get used(): number {
    return this.running.filter((w) => !w.mismatch && w.delivered > 0).length;
  }

  /**
   * Ends the workers. With `waitForThem`, first has each stop before its next store and waits until
   * it has, so that no worker is still writing files (before synth takes back what was written).
   */
  public stop(waitForThem = false): void {
    for (const worker of this.running) {
      if (waitForThem && !worker.stopped) {
        Atomics.store(worker.control, 0, 1);
        for (
          let message = receive(worker);
          !message.done && message.fatal === undefined && message.mismatch === undefined;
          message = receive(worker)
        );
        worker.stopped = true;
      }
      void worker.worker.terminate();
    }
  }
}

interface RunningWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
  readonly indices: number[];
  readonly control: Int32Array;
  delivered: number;
  mismatch?: string;
  stopped?: boolean;
}

function startWorker(data: WorkerSettings, indices: number[]): RunningWorker {
  const entry = path.join(__dirname, `store-worker${path.extname(__filename)}`);
  const signal = new SharedArrayBuffer(4);
  const control = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const workerData: StoreWorkerData = { ...data, indices, signal, control, port: port2 };
  const worker = new Worker(workerBootstrap(entry), { eval: true, workerData, transferList: [port2] });
  worker.unref();
  // Read synchronously with receiveMessageOnPort: synth needs no event loop turn.
  return { worker, port: port1, signal: new Int32Array(signal), control: new Int32Array(control), indices, delivered: 0 };
}

/**
 * The code a worker starts with: it loads the worker's module, also from the TypeScript sources
 * (a source checkout runs them through tsx, registered in the main thread only; under ts-node, the
 * hook comes with the process's arguments).
 */
function workerBootstrap(entry: string): string {
  const lines = [`const entry = ${JSON.stringify(entry)};`];
  if (entry.endsWith('.ts')) {
    lines.push(`if (!require('module')._extensions['.ts']) require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();`);
  }
  lines.push('require(entry);');
  return lines.join('\n');
}

/** Waits until the worker has posted a message, and returns it. */
function receive(worker: RunningWorker): StoreWorkerMessage {
  for (;;) {
    const posted = Atomics.load(worker.signal, 0);
    const message = receiveMessageOnPort(worker.port);
    if (message !== undefined) return message.message;
    Atomics.wait(worker.signal, 0, posted, 60_000);
  }
}
