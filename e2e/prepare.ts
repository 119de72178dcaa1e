import * as path from 'path';
import { binaries } from './harness/binaries';
import { run } from './harness/processes';
import { RealNode } from './harness/real-node';

/**
 * Installs the real node's Debian packages when missing (as root), removes the nodes of runs that were
 * killed, and builds (or finds in the cache) the upstream binaries. The suite's global setup runs it before
 * any scenario; CI also runs it alone (`npm run e2e:prepare`) beside the unit tests, so that a machine with an
 * empty cache builds while it tests.
 */
export function prepareSuite(): void {
  const started = Date.now();
  process.stderr.write(`\ne2e: ${run('bash', [path.join(__dirname, 'install-node-packages.sh')]).trim()}`);
  const abandoned = RealNode.removeAbandoned();
  if (abandoned.length > 0) process.stderr.write(`\ne2e: removed the nodes that killed runs left: ${abandoned.join(', ')}`);
  binaries();
  process.stderr.write(`\ne2e: node packages and upstream binaries ready in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

if (require.main === module) prepareSuite();
