import { resetTimings } from './harness/timings';
import { prepareSuite } from './prepare';

/** Prepares the node and the upstream binaries, and forgets the figures of an earlier run, before any scenario starts. */
export default function globalSetup(): void {
  prepareSuite();
  resetTimings();
}
