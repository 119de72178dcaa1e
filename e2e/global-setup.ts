import { binaries } from './harness/binaries';
import { resetTimings } from './harness/timings';

/** Builds (or finds in the cache) the upstream binaries once, before any scenario starts. */
export default function globalSetup(): void {
  const started = Date.now();
  binaries();
  resetTimings();
  process.stderr.write(`\ne2e: upstream binaries ready in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}
