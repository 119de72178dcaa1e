/** Options of `synthesize`. */
export interface SynthesizeOptions {
  /** Output folder. @default - the fleet's `outdir` (`dist`, or `$CDK8S_OUTDIR`) */
  readonly outdir?: string;
  /** Called after each store is rendered or confirmed unchanged, e.g. to show progress on a long run. @default - nothing */
  readonly onProgress?: (done: number, total: number) => void;
  /** Write even when the change touches more stores than the fleet's blast-radius guard allows. @default false */
  readonly allowWideChange?: boolean;
  /**
   * Folder of the digest cache (e.g. `.edgefleet-cache`, ignored by Git). With it, a store declared
   * with `EdgeFleet.addStores` whose digest (its inputs, the fleet's settings, the code) is the one
   * recorded at the last synth, and whose files are as that synth left them, is neither rendered
   * nor read nor written.
   * @default - no cache: every store is rendered and compared with the files in `outdir`
   */
  readonly cacheDir?: string;
  /**
   * The fleet module that built this fleet with its `buildFleet()` (as `edgefleet synth --fleet`
   * names it). With it, synth renders stores in worker threads too, when there are enough to render
   * to pay for starting them: each worker builds the fleet from this module and renders a share of
   * the stores declared with `addStores`. The output is the same byte for byte.
   * @default - every store is rendered in the calling thread
   */
  readonly fleetModule?: string;
  /** Threads that render stores, the calling thread included, when `fleetModule` is given. @default - the number of CPUs */
  readonly threads?: number;
}
