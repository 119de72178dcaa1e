import { IConstruct } from 'constructs';
import { v5 as uuidV5 } from 'uuid';
import { fail } from '../errors/edgefleet-error';

/**
 * The hardware identity a VM's guest sees, pinned in Git so that it survives re-creation.
 *
 * KubeVirt (v1.6.2 to v1.6.5) seeds `firmware.uuid` and `firmware.serial` with random UUIDs only when a VM is
 * created (pkg/virt-api/webhooks/mutating-webhook/mutators/vm-mutator.go: "Only assign a new-style
 * firmware UUID when the VM is created"); a VM without them falls back to a UUID derived from its
 * name alone (pkg/virt-controller/watch/vm/firmware.go, `CalculateLegacyUUID`), the same for the VM
 * `pos` of every store. The MAC address of a masquerade interface without `macAddress` is that of
 * the virt-launcher pod's NIC (pkg/network/domainspec/generators.go), which is new with every pod,
 * i.e. with every start of the VM.
 */
export interface VmIdentity {
  /**
   * SMBIOS system UUID (`firmware.uuid`), e.g. the one of the machine a POS is migrated from. @default - a name-based UUID of the fleet, store and
   * VM
   */
  readonly firmwareUuid?: string;
  /** SMBIOS system serial number (`firmware.serial`). @default - a name-based UUID of the fleet, store and VM, distinct from `firmwareUuid` */
  readonly firmwareSerial?: string;
  /**
   * MAC address of the VM's network interface, e.g. `52:54:00:12:34:56`. @default - a locally administered unicast address derived from the fleet,
   * store and VM
   */
  readonly macAddress?: string;
}

/** A VM identity with every field decided. */
export type ResolvedVmIdentity = Required<VmIdentity>;

/** What names a VM across fleets: the fleet's identity namespace, the store and the VM. */
export interface VmIdentityName {
  /** The fleet's namespace UUID for VM identities. */
  readonly namespace: string;
  /** The store id. */
  readonly storeId: string;
  /** The VM's name. */
  readonly vmName: string;
}

/** Any 8-4-4-4-12 hexadecimal UUID: hardware UUIDs need not carry the RFC 9562 version and variant bits. */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** The MAC of the bridge inside the virt-launcher pod, which KubeVirt rejects on a masquerade interface (pkg/network/link/mac.go). */
const RESERVED_MAC = '02:00:00:00:00:00';

/** Whether `value` is written as a UUID (8-4-4-4-12 hexadecimal digits). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * The VM's identity: each field as overridden, or derived from its name with name-based (v5) UUIDs,
 * so that it is the same on every synth and for every re-creation, and differs between stores.
 */
export function resolveVmIdentity(scope: IConstruct, name: VmIdentityName, override: VmIdentity = {}): ResolvedVmIdentity {
  const derive = (aspect: string) => uuidV5(`${name.storeId}/${name.vmName}${aspect}`, name.namespace);
  return {
    firmwareUuid: override.firmwareUuid !== undefined ? checkFirmwareUuid(scope, override.firmwareUuid) : derive(''),
    firmwareSerial: override.firmwareSerial !== undefined ? checkSerial(scope, override.firmwareSerial) : derive('/serial'),
    macAddress: override.macAddress !== undefined ? checkMac(scope, override.macAddress) : macFrom(derive('/mac')),
  };
}

/** The first six bytes of a UUID as a MAC address, marked locally administered (bit 1) and unicast (bit 0 clear). */
function macFrom(uuid: string): string {
  const bytes = uuid
    .replace(/-/g, '')
    .slice(0, 12)
    .match(/../g)!
    .map((b) => parseInt(b, 16));
  // eslint-disable-next-line no-bitwise -- the first byte's two low bits: set bit 1 (locally administered), clear bit 0 (unicast)
  bytes[0] = (bytes[0] & 0xfc) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function checkFirmwareUuid(scope: IConstruct, value: string): string {
  if (!isUuid(value)) {
    fail(scope, `identity.firmwareUuid "${value}" is not a UUID (use 8-4-4-4-12 hexadecimal digits, as \`dmidecode -s system-uuid\` prints it)`);
  }
  return value.toLowerCase();
}

function checkSerial(scope: IConstruct, value: string): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value)) {
    fail(
      scope,
      `identity.firmwareSerial "${value}" is not a serial number (use printable ASCII without leading or trailing spaces, as \`dmidecode -s ` +
        `system-serial-number\` prints it)`,
    );
  }
  return value;
}

function checkMac(scope: IConstruct, value: string): string {
  const mac = typeof value === 'string' ? value.toLowerCase().replace(/-/g, ':') : '';
  if (!MAC.test(mac)) fail(scope, `identity.macAddress "${value}" is not a MAC address (use six hexadecimal pairs, e.g. "52:54:00:12:34:56")`);
  // eslint-disable-next-line no-bitwise -- bit 0 of the first byte marks a multicast address
  if ((parseInt(mac.slice(0, 2), 16) & 1) === 1) {
    fail(scope, `identity.macAddress "${value}" is a multicast address (the first byte must be even, e.g. "52:54:00:12:34:56")`);
  }
  if (mac === RESERVED_MAC) {
    fail(scope, `identity.macAddress "${value}" is reserved by KubeVirt for the bridge inside the VM's pod (use another address)`);
  }
  return mac;
}
