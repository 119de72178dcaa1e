import { IConstruct } from 'constructs';
import { fail } from '../errors/edgefleet-error';
import { checkImage, checkOneOf } from '../prop-checks/checks';

/**
 * When a store restarts a POS VM whose template changed in a way KubeVirt applies only at boot (its
 * `RestartRequired` condition): in the store's maintenance window, as soon as the store sees it, or never
 * by itself (an operator restarts it).
 */
export const VM_RESTART_MODES = ['window', 'immediately', 'manual'] as const;

/** When a store restarts a VM that needs it. */
export type VmRestartMode = (typeof VM_RESTART_MODES)[number];

/** Days of the week, as a maintenance window names them (cron's order: Sunday is 0). */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** A day of the week. */
export type Weekday = (typeof WEEKDAYS)[number];

/** A weekly maintenance window, in the store's local time. */
export interface MaintenanceWindow {
  /** Days the window opens on. @default - every day */
  readonly days?: Weekday[];
  /** Local time the window opens, on the hour (`"02:00"`). @default - none: required for mode 'window' */
  readonly start?: string;
  /** Local time the window closes, on the hour and later the same day (`"04:00"`). @default - none: required for mode 'window' */
  readonly end?: string;
  /** IANA time zone of the store (`"Europe/Paris"`), as the CronJob's `timeZone`. @default - none: required for mode 'window' */
  readonly timeZone?: string;
}

/**
 * How a store restarts its POS VMs when a change needs a restart (a new POS OS image, more memory):
 * the store's own CronJob does it, so it happens with the WAN down too. Set fleet-wide on `EdgeFleet`
 * and override per store (or per region and ring, in the code that builds the stores), field by field;
 * the window's fields are laid over the fleet's one by one.
 */
export interface VmRestartPolicy {
  /** When a VM that needs a restart is restarted. @default - 'window' when a window is set, else 'manual' */
  readonly mode?: VmRestartMode;
  /** The store's maintenance window, for mode 'window'. @default - none */
  readonly window?: MaintenanceWindow;
  /**
   * Image of the restarter job, pinned: it needs `/bin/sh` and `kubectl` (1.30 or later). Pre-load it
   * like every image of the store (it is listed in the store's images.txt).
   * @default DEFAULT_VM_RESTARTER_IMAGE
   */
  readonly image?: string;
}

/** Id of the store's restarter workload: its file is `workloads/vm-restarter.yaml`. */
export const VM_RESTARTER_ID = 'vm-restarter';

/** Annotation of the restarter's CronJob with the policy in words, so that `edgefleet diff` can say when a VM change lands from Git alone. */
export const VM_RESTART_ANNOTATION = 'edgefleet.io/vm-restart';

/** The restarter's default image: Alpine with kubectl and a shell, for arm64 and amd64. */
export const DEFAULT_VM_RESTARTER_IMAGE = 'docker.io/alpine/k8s:1.35.0';

/** A maintenance window, checked. */
export interface ResolvedMaintenanceWindow {
  /** Days the window opens on, in week order. */
  readonly days: Weekday[];
  /** Hour the window opens (0–23). */
  readonly startHour: number;
  /** Hour the window closes (1–24), after `startHour`. */
  readonly endHour: number;
  /** IANA time zone. */
  readonly timeZone: string;
}

/** A store's restart policy, fleet defaults applied and checked. */
export interface ResolvedVmRestartPolicy {
  /** When a VM that needs a restart is restarted. */
  readonly mode: VmRestartMode;
  /** The maintenance window, for mode 'window'. */
  readonly window?: ResolvedMaintenanceWindow;
  /** Image of the restarter job. */
  readonly image: string;
}

/** The CronJob timing of a store's restarter. */
export interface RestartSchedule {
  /** Cron schedule, in `timeZone`. */
  readonly schedule: string;
  /** IANA time zone of the schedule; undefined for the controller-manager's zone. */
  readonly timeZone?: string;
  /** How late a run may start: a run that could not start by then (the node was down) is skipped. */
  readonly startingDeadlineSeconds: number;
  /** How long a run may last: the last run of a window ends when the window closes. */
  readonly activeDeadlineSeconds: number;
}

/** Minutes between two runs of the restarter. */
const RUN_EVERY_MINUTES = { window: 15, immediately: 5 };

/**
 * The store's policy: `store` laid over `fleet`, the window field by field. Refuses a window that is
 * missing, not on the hour, crossing midnight, or in an unknown time zone, naming the field.
 */
export function resolveVmRestartPolicy(scope: IConstruct, fleet: VmRestartPolicy = {}, store: VmRestartPolicy = {}): ResolvedVmRestartPolicy {
  const windowProps = fleet.window || store.window ? { ...fleet.window, ...definedFields(store.window) } : undefined;
  const mode = checkOneOf(scope, 'vmRestart.mode', store.mode ?? fleet.mode ?? (windowProps ? 'window' : 'manual'), VM_RESTART_MODES);
  const image = checkImage(scope, 'vmRestart.image', store.image ?? fleet.image ?? DEFAULT_VM_RESTARTER_IMAGE);
  if (mode !== 'window') return { mode, image };
  return { mode, image, window: resolveWindow(scope, windowProps ?? {}) };
}

function definedFields<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolveWindow(scope: IConstruct, window: MaintenanceWindow): ResolvedMaintenanceWindow {
  const days = window.days ?? [...WEEKDAYS];
  if (days.length === 0) {
    fail(scope, 'vmRestart.window.days is empty (list the days the window opens on, e.g. ["sun"], or leave it out for every day)');
  }
  days.forEach((day, i) => checkOneOf(scope, `vmRestart.window.days[${i}]`, day, WEEKDAYS));
  const startHour = hourOf(scope, 'start', window.start, '02:00');
  const endHour = hourOf(scope, 'end', window.end, '04:00');
  if (endHour <= startHour) {
    fail(
      scope,
      `vmRestart.window.end "${window.end}" is not after start "${window.start}" (a window closes later the same day: ` +
        'end one that would cross midnight at "24:00")',
    );
  }
  return { days: WEEKDAYS.filter((d) => days.includes(d)), startHour, endHour, timeZone: checkTimeZone(scope, window.timeZone) };
}

function hourOf(scope: IConstruct, field: 'start' | 'end', value: string | undefined, example: string): number {
  const prop = `vmRestart.window.${field}`;
  if (value === undefined) fail(scope, `${prop} is missing (a window of mode "window" needs start, end and timeZone, e.g. ${field}: "${example}")`);
  const match = /^([01][0-9]|2[0-4]):([0-5][0-9])$/.exec(value);
  if (!match) fail(scope, `${prop} "${value}" is not a time of day (use "HH:MM", e.g. "${example}")`);
  const hour = Number(match[1]);
  if (match[2] !== '00' || (hour === 24 && field === 'start')) {
    fail(scope, `${prop} "${value}" is not on the hour (the restarter runs in whole hours: use "${String(hour).padStart(2, '0')}:00")`);
  }
  return hour;
}

function checkTimeZone(scope: IConstruct, timeZone: string | undefined): string {
  if (timeZone === undefined) fail(scope, 'vmRestart.window.timeZone is missing (use the store\'s IANA time zone, e.g. "Europe/Paris")');
  // An IANA name the platform knows; "UTC" aside, abbreviations such as "CET" or offsets are ambiguous or refused by Kubernetes.
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$|^UTC$/.test(timeZone) || !isKnownTimeZone(timeZone)) {
    fail(scope, `vmRestart.window.timeZone "${timeZone}" is not an IANA time zone (use a name such as "Europe/Paris" or "America/New_York")`);
  }
  return timeZone;
}

function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** When the restarter runs: every 15 minutes inside the window, or every 5 minutes for mode 'immediately'. */
export function restartSchedule(policy: ResolvedVmRestartPolicy): RestartSchedule | undefined {
  if (policy.mode === 'manual') return undefined;
  const every = RUN_EVERY_MINUTES[policy.mode];
  const deadlines = { startingDeadlineSeconds: (every * 60) / 3, activeDeadlineSeconds: (every * 60 * 2) / 3 };
  const window = policy.window;
  if (!window) return { schedule: `*/${every} * * * *`, ...deadlines };
  const hours = window.endHour - 1 === window.startHour ? `${window.startHour}` : `${window.startHour}-${window.endHour - 1}`;
  const days = window.days.length === WEEKDAYS.length ? '*' : window.days.map((d) => WEEKDAYS.indexOf(d)).join(',');
  return { schedule: `*/${every} ${hours} * * ${days}`, timeZone: window.timeZone, ...deadlines };
}

/** How a VM of a store without a restarter gets a change that needs a restart. */
export const RESTART_BY_HAND = 'by hand (vmRestart mode "manual": `virtctl restart <vm>`)';

/** The policy in words, for `diff`, the report and the restarter's annotation: `in the window Sun 02:00–04:00 Europe/Paris`. */
export function describeVmRestart(policy: ResolvedVmRestartPolicy): string {
  switch (policy.mode) {
    case 'manual':
      return RESTART_BY_HAND;
    case 'immediately':
      return `within ${RUN_EVERY_MINUTES.immediately} minutes (vmRestart mode "immediately")`;
    case 'window':
      return `in the window ${describeWindow(policy.window!)}`;
  }
}

function describeWindow(window: ResolvedMaintenanceWindow): string {
  const days = window.days.length === WEEKDAYS.length ? 'daily' : window.days.map((d) => d[0].toUpperCase() + d.slice(1)).join(',');
  const time = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
  return `${days} ${time(window.startHour)}–${time(window.endHour)} ${window.timeZone}`;
}
