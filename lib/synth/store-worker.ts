/**
 * A worker thread of synth (see {@link StoreWorkers}): builds the fleet from its module, as the main
 * thread did, then builds, checks and renders the declared stores it is given, in order, posting
 * each one's files and summary (or problems) back.
 */
import { MessagePort, workerData } from 'worker_threads';
import { fleetInputsDigest, storeDigest } from './fleet-digest';
import { loadFleet } from './load-fleet';
import { buildAndPass, problemsOf } from './store-pass';
import type { StoreWorkerData, StoreWorkerMessage } from './store-workers';
import { writeNewFiles } from './tree-update';
import { isBootstrapFile } from '../model/dist-layout';

function post(port: MessagePort, message: StoreWorkerMessage, signal: Int32Array): void {
  port.postMessage(message);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function work(data: StoreWorkerData): void {
  const signal = new Int32Array(data.signal);
  const control = new Int32Array(data.control);
  const existing = new Set(data.existingStores);
  try {
    const fleet = loadFleet(data.fleetModule, process.cwd());
    const declarations = fleet.declaredStores;
    const inputs = fleetInputsDigest(fleet).digest;
    if (inputs !== data.fleetInputs || declarations.length !== data.declarations) {
      post(
        data.port,
        {
          mismatch:
            `${data.fleetModule} built another fleet in a worker thread (${declarations.length} declared stores, expected ` + `${data.declarations})`,
        },
        signal,
      );
      return;
    }
    for (const index of data.indices) {
      if (Atomics.load(control, 0) !== 0) break;
      const declaration = declarations[index];
      const digest = storeDigest(data.storeDigestBase, declaration.inputs);
      let message: StoreWorkerMessage;
      let built: StoreWorkerMessage['built'];
      try {
        const pass = buildAndPass(
          fleet,
          declaration,
          (store) => (built = store && { id: store.id, ageRecipient: store.ageRecipient, storeLabels: store.storeLabels }),
        );
        const { summary, inputFiles } = pass;
        message = existing.has(pass.summary.id)
          ? { index, digest, built, files: [...pass.files], summary, inputFiles }
          : { index, digest, built, written: writeNewFiles(data.outdir, pass.files, isBootstrapFile, data.recordOutput), summary, inputFiles };
      } catch (e) {
        message = { index, digest, built, problems: problemsOf(e, declaration.where) };
      }
      post(data.port, message, signal);
    }
    post(data.port, { done: true }, signal);
  } catch (e) {
    post(data.port, { fatal: (e as Error)?.stack ?? String(e) }, signal);
  }
}

work(workerData as StoreWorkerData);
