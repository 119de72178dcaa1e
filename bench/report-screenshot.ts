/**
 * Report screenshot: writes the HTML report of a generated 100-store and 10,000-store fleet to /tmp,
 * prints their sizes and, when /usr/bin/chromium exists, takes a headless screenshot of each.
 * Usage: node build/bench/report-screenshot.js [100 10000]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ReservationItem, Resources, WorkloadDemand } from '../lib/planner/store-plan';
import { renderReportHtml } from '../lib/report/render-report-html';
import { FleetReport, StoreReport } from '../lib/report/report-model';

const MIB = 2 ** 20;
const CHROMIUM = '/usr/bin/chromium';
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'ap-south'];

function mib(item: string, cpuMillis: number, memoryMiB: number, source: string): ReservationItem {
  return { item, cpuMillis, memoryBytes: memoryMiB * MIB, source };
}

function total(items: Resources[]): Resources {
  return { cpuMillis: items.reduce((n, r) => n + r.cpuMillis, 0), memoryBytes: items.reduce((n, r) => n + r.memoryBytes, 0) };
}

/** Store `n` (from 1) of a generated fleet: 8 GiB nodes (16 GiB every 50th), a Wasm app every 3rd, varied POS VM memory, every 97th suspended. */
function generatedStore(n: number, width: number): StoreReport {
  const wasm = n % 3 === 0;
  const memoryMiB = n % 50 === 0 ? 16384 : 8192;
  const reservations = [
    mib('K3s server', 500, 1588, 'https://docs.k3s.io/installation/requirements'),
    mib('KubeVirt components', 300, 640, 'kubevirt/kubevirt docs/ (virt-handler, virt-controller requests)'),
    mib('VM pos launcher overhead', 100, 220, 'kubevirt/kubevirt pkg/virt-controller/services/renderresources.go'),
    ...(wasm ? [mib('WasmEdge shim', 50, 64, 'containerd/runwasi README')] : []),
    mib('eviction threshold', 0, memoryMiB / 80, 'kubelet --eviction-hard memory.available'),
  ];
  // eslint-disable-next-line no-bitwise -- a multiplicative hash of the store number, as an unsigned 32-bit integer
  const variation = (Math.imul(n, 2654435761) >>> 0) % 13;
  const workloads: WorkloadDemand[] = [
    { name: 'pos', kind: 'VirtualMachine', cpuMillis: 1000 + variation * 100, memoryBytes: (2048 + variation * 256) * MIB },
    { name: 'edge-monitor', kind: 'Deployment', cpuMillis: 100, memoryBytes: 128 * MIB },
    ...(wasm ? [{ name: 'edge-app', kind: 'Deployment', cpuMillis: 200, memoryBytes: 256 * MIB }] : []),
    { name: 'log-agent', kind: 'DaemonSet', cpuMillis: 50, memoryBytes: 64 * MIB },
  ];
  const capacity = { cpuMillis: 4000, memoryBytes: memoryMiB * MIB };
  const reserved = total(reservations);
  return {
    store: `store-${String(n).padStart(width, '0')}`,
    labels: { region: REGIONS[n % REGIONS.length], ring: n % 25 === 1 ? 'canary' : n % 5 === 0 ? 'early' : 'general' },
    capacity,
    reservations,
    allocatable: { cpuMillis: capacity.cpuMillis - reserved.cpuMillis, memoryBytes: capacity.memoryBytes - reserved.memoryBytes },
    workloads,
    requested: total(workloads),
    vms: 1,
    localStorage: { steadyBytes: (40 + variation) * 1024 * MIB, peakBytes: (60 + variation) * 1024 * MIB, capacityBytes: 128 * 1024 * MIB },
    sync: { agent: n % 5 === 0 ? 'fleet' : 'flux', autoSync: n % 97 !== 0, interval: '5m' },
  };
}

/** A fleet report of `count` generated stores, with a waiver every 1,000th store and a warning every 7th. */
export function generatedReport(count: number): FleetReport {
  const width = String(count).length;
  const stores = Array.from({ length: count }, (_, i) => generatedStore(i + 1, width));
  return {
    stores,
    waivers: stores
      .filter((_, i) => i % 1000 === 0)
      .map((s) => ({
        store: s.store,
        rule: 'pinned-image',
        object: 'Deployment/edge-monitor',
        reason: 'Vendor build without a digest until 2025-Q3',
      })),
    warnings: stores
      .filter((_, i) => i % 7 === 0)
      .map((s) => ({
        store: s.store,
        object: 'Deployment/edge-monitor',
        kind: 'image without digest',
        message: 'image "registry.example.com/edge-monitor:1.4.2" has a tag but no digest',
      })),
  };
}

function screenshot(html: string, png: string): void {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-'));
  try {
    execFileSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        `--screenshot=${png}`,
        '--window-size=1400,2000',
        `file://${html}`,
      ],
      { stdio: 'ignore' },
    );
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

function main(): void {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [100, 10000];
  for (const size of sizes) {
    const html = path.join(os.tmpdir(), `edgefleet-report-${size}.html`);
    fs.writeFileSync(html, renderReportHtml(generatedReport(size)));
    process.stdout.write(`${size} stores: ${html}, ${(fs.statSync(html).size / 2 ** 20).toFixed(2)} MiB\n`);
    if (!fs.existsSync(CHROMIUM)) continue;
    const png = html.replace(/\.html$/, '.png');
    screenshot(html, png);
    process.stdout.write(`  screenshot: ${png}\n`);
  }
}

if (require.main === module) main();
