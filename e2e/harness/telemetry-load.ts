import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import * as zlib from 'zlib';

/**
 * A store's telemetry, made and counted: container log files written the way the kubelet writes
 * them (CRI lines under `/var/log/pods/<namespace>_<pod>_<uid>/<container>/0.log`, rotated by
 * rename, older files gzipped), a metrics target exposing as many series as asked, and the checks
 * that read back what the central receivers (VictoriaLogs, VictoriaMetrics) hold: every numbered
 * line and every scrape, in order, no gap, no duplicate.
 *
 * Each log line carries `seq=<n>` (1, 2, 3… per container); each target port counts its own
 * scrapes in the gauge `edgefleet_scrape_seq`, so that a gap or a duplicate shows as a number.
 */

/** One container whose log file the writer appends to. */
export interface LogStream {
  readonly namespace: string;
  readonly pod: string;
  readonly uid: string;
  readonly container: string;
}

/** How much to write, and how the kubelet would rotate it. */
export interface LogWriterOptions {
  /** The folder standing for the node's `/var/log/pods`. */
  readonly podsDir: string;
  readonly streams: readonly LogStream[];
  /** Bytes per hour over all streams (the fleet's `logsPerHour`). */
  readonly bytesPerHour: number;
  /** Size of one line, newline included. @default 200 */
  readonly lineBytes?: number;
  /** Rotate a container's `0.log` past this size, as the kubelet's `containerLogMaxSize` (10Mi there). @default 10 MiB */
  readonly rotateBytes?: number;
  /** Files kept per container, the live one included, as the kubelet's `containerLogMaxFiles`. @default 5 */
  readonly maxFiles?: number;
}

/** The folder of a stream's log files. */
export function streamDir(podsDir: string, s: LogStream): string {
  return path.join(podsDir, `${s.namespace}_${s.pod}_${s.uid}`, s.container);
}

/**
 * The CRI line the kubelet writes for one full (`F`) stdout line, stamped `time` plus `extraMicros` microseconds
 * (so that every line has its own time).
 */
export function criLine(time: Date, extraMicros: number, seq: number, pod: string, lineBytes: number): string {
  const fraction = (time.getTime() % 1000) * 1000 + extraMicros;
  const ts = `${time.toISOString().slice(0, 19)}.${String(fraction).padStart(6, '0')}000Z`;
  const head = `${ts} stdout F seq=${seq} pod=${pod} `;
  return head + 'x'.repeat(Math.max(0, lineBytes - head.length - 1)) + '\n';
}

/** The kubelet's name for a rotated file: `0.log.YYYYMMDD-HHMMSS` (UTC). */
function rotatedName(time: Date): string {
  const iso = time.toISOString();
  return `0.log.${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/** Appends numbered CRI lines to each stream's `0.log` at a steady rate, rotating as the kubelet does. */
export class ContainerLogWriter {
  private readonly seq = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private owed = 0;
  private next = 0;
  private lastTick = 0;
  /** Rotations done, for the report. */
  public rotations = 0;

  constructor(private readonly o: LogWriterOptions) {
    for (const s of o.streams) {
      fs.mkdirSync(streamDir(o.podsDir, s), { recursive: true });
      this.seq.set(s.pod, 0);
    }
  }

  /** Starts writing, every 100 ms. */
  public start(): void {
    this.lastTick = Date.now();
    this.timer = setInterval(() => this.tick(), 100);
  }

  /** Stops writing; the files stay. */
  public stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The last sequence number written per pod. */
  public written(): Record<string, number> {
    return Object.fromEntries(this.seq);
  }

  private tick(): void {
    const now = Date.now();
    const lineBytes = this.o.lineBytes ?? 200;
    this.owed += ((now - this.lastTick) / 3_600_000) * (this.o.bytesPerHour / lineBytes);
    this.lastTick = now;
    const time = new Date(now);
    const batch = new Map<LogStream, string[]>();
    for (let i = 0; this.owed >= 1 && i < 999; this.owed--, i++) {
      const s = this.o.streams[this.next++ % this.o.streams.length];
      const n = this.seq.get(s.pod)! + 1;
      this.seq.set(s.pod, n);
      if (!batch.has(s)) batch.set(s, []);
      batch.get(s)!.push(criLine(time, i, n, s.pod, lineBytes));
    }
    for (const [s, lines] of batch) {
      const dir = streamDir(this.o.podsDir, s);
      fs.appendFileSync(path.join(dir, '0.log'), lines.join(''));
      if (fs.statSync(path.join(dir, '0.log')).size >= (this.o.rotateBytes ?? 10 * 1024 * 1024)) this.rotate(dir, time);
    }
  }

  /** As the kubelet: the live file renamed with a timestamp, rotated files but the newest gzipped, the oldest removed. */
  private rotate(dir: string, time: Date): void {
    // One rotation per second at most, as the names have a resolution of a second.
    if (fs.existsSync(path.join(dir, rotatedName(time))) || fs.existsSync(path.join(dir, `${rotatedName(time)}.gz`))) return;
    fs.renameSync(path.join(dir, '0.log'), path.join(dir, rotatedName(time)));
    fs.writeFileSync(path.join(dir, '0.log'), '');
    this.rotations++;
    const rotated = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith('0.log.'))
      .sort();
    for (const f of rotated.slice(0, -1).filter((name) => !name.endsWith('.gz'))) {
      fs.writeFileSync(path.join(dir, `${f}.gz`), zlib.gzipSync(fs.readFileSync(path.join(dir, f))));
      fs.rmSync(path.join(dir, f));
    }
    const all = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith('0.log.'))
      .sort();
    for (const f of all.slice(0, Math.max(0, all.length - ((this.o.maxFiles ?? 5) - 1)))) fs.rmSync(path.join(dir, f));
  }
}

/** A Prometheus target on 127.0.0.1: `series` gauges, and a per-port scrape counter. */
export class MetricsTarget {
  private readonly servers: http.Server[] = [];
  /** Scrapes served per port. */
  public readonly scrapes = new Map<number, number>();

  constructor(private readonly series: number) {}

  /** Serves `/metrics` on each port (one per scraper, so that each counts its own scrapes). */
  public async listen(ports: number[]): Promise<void> {
    for (const port of ports) {
      this.scrapes.set(port, 0);
      const server = http.createServer((req, res) => {
        if (req.url !== '/metrics') return void res.writeHead(404).end();
        const n = this.scrapes.get(port)! + 1;
        this.scrapes.set(port, n);
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end(this.render(n));
      });
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      this.servers.push(server);
    }
  }

  /** Stops serving. */
  public async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }

  private render(scrape: number): string {
    const out = ['# TYPE edgefleet_scrape_seq gauge', `edgefleet_scrape_seq ${scrape}`, '# TYPE edgefleet_load gauge'];
    for (let i = 0; i < this.series; i++) out.push(`edgefleet_load{series="${i}",group="g${i % 50}"} ${scrape * 1000 + (i % 1000)}`);
    return out.join('\n') + '\n';
  }
}

/** What a check found for one stream or series: how many arrived, what is missing or doubled, and whether the order held. */
export interface SequenceReport {
  readonly received: number;
  readonly first: number;
  readonly last: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
}

/**
 * Counts a sequence expected to be 1..`expectedLast`: `entries` as the receiver holds them, each with
 * its time. Out of order counts the entries whose number is lower than that of an entry with an
 * earlier time (entries of the same time are taken in number order).
 */
export function checkSequence(entries: ReadonlyArray<{ readonly seq: number; readonly time: number }>, expectedLast?: number): SequenceReport {
  const sorted = [...entries].sort((a, b) => a.time - b.time || a.seq - b.seq);
  const seen = new Set<number>();
  let duplicates = 0;
  let outOfOrder = 0;
  let highest = -Infinity;
  for (const { seq } of sorted) {
    if (seen.has(seq)) duplicates++;
    else seen.add(seq);
    if (seq < highest) outOfOrder++;
    highest = Math.max(highest, seq);
  }
  let first = Infinity;
  let last = expectedLast ?? 0;
  for (const n of seen) {
    first = Math.min(first, n);
    last = Math.max(last, n);
  }
  let missing = 0;
  for (let i = 1; i <= last; i++) if (!seen.has(i)) missing++;
  return { received: entries.length, first: seen.size ? first : 0, last, missing, duplicates, outOfOrder };
}

/** The numbers missing from 1..`last`, as ranges ("3074-6145"): where a loss happened. */
export function missingRanges(seqs: Iterable<number>, last: number): string[] {
  const seen = new Set(seqs);
  const ranges: string[] = [];
  for (let i = 1; i <= last; i++) {
    if (seen.has(i)) continue;
    let j = i;
    while (j + 1 <= last && !seen.has(j + 1)) j++;
    ranges.push(i === j ? `${i}` : `${i}-${j}`);
    i = j;
  }
  return ranges;
}

/** Every line VictoriaLogs holds for `filter` (LogsQL), per pod: its number and its time (µs since the epoch). */
export async function logSequences(victoriaLogsUrl: string, filter: string): Promise<Map<string, Array<{ seq: number; time: number }>>> {
  const url = `${victoriaLogsUrl}/select/logsql/query?query=${encodeURIComponent(filter)}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`VictoriaLogs query ${filter}: HTTP ${response.status} ${await response.text()}`);
  const byPod = new Map<string, Array<{ seq: number; time: number }>>();
  for (const line of (await response.text()).split('\n')) {
    if (!line) continue;
    const rec = JSON.parse(line) as Record<string, string>;
    const m = /\bseq=(\d+) pod=(\S+)/.exec(rec._msg ?? '');
    if (!m) continue;
    if (!byPod.has(m[2])) byPod.set(m[2], []);
    byPod.get(m[2])!.push({ seq: Number(m[1]), time: rfc3339Micros(rec._time) });
  }
  return byPod;
}

/** Microseconds since the epoch of an RFC 3339 time with up to nine fraction digits. */
export function rfc3339Micros(rfc3339: string): number {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(rfc3339);
  if (!m) return NaN;
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/**
 * Raw samples VictoriaMetrics holds for a series selector, sorted by timestamp: one entry per series.
 * Staleness markers (exported as null: Prometheus writes one when a target disappears) are counted
 * apart, not returned as samples.
 */
export async function exportedSamples(
  victoriaMetricsUrl: string,
  selector: string,
): Promise<Array<{ metric: Record<string, string>; values: number[]; timestamps: number[]; staleMarkers: number }>> {
  const url = `${victoriaMetricsUrl}/api/v1/export?match[]=${encodeURIComponent(selector)}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`VictoriaMetrics export ${selector}: HTTP ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const s = JSON.parse(l) as { metric: Record<string, string>; values: Array<number | null>; timestamps: number[] };
      const all = s.timestamps.map((t, i) => [t, s.values[i]] as const);
      const order = all.filter((o): o is readonly [number, number] => typeof o[1] === 'number' && !Number.isNaN(o[1])).sort((a, b) => a[0] - b[0]);
      return { metric: s.metric, timestamps: order.map((o) => o[0]), values: order.map((o) => o[1]), staleMarkers: all.length - order.length };
    });
}
