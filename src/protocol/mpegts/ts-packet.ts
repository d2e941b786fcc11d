import { BugError } from '../../errors.js';

/** Every transport stream packet is 188 bytes, starting with the sync byte 0x47 (ISO/IEC 13818-1 2.4.3.2). */
export const TS_PACKET_SIZE = 188;
export const TS_SYNC_BYTE = 0x47;
/** sync_byte, TEI/PUSI/priority + PID (13 bits), scrambling/adaptation_field_control/continuity_counter. */
const TS_HEADER_SIZE = 4;
const TS_PAYLOAD_MAX = TS_PACKET_SIZE - TS_HEADER_SIZE;
/** adaptation_field_length + the flags byte. */
const AF_MIN_WITH_FLAGS = 2;
const PCR_SIZE = 6;
/** Adaptation field flags (2.4.3.4). */
const AF_DISCONTINUITY = 0x80;
const AF_RANDOM_ACCESS = 0x40;
const AF_PCR = 0x10;
/** adaptation_field_control: '01' payload only, '11' adaptation field then payload. */
const AFC_PAYLOAD = 0x10;
const AFC_BOTH = 0x30;

/** The 33-bit clock of PTS, DTS and the PCR base: 90 kHz, wrapping at 2^33 (about 26.5 hours). */
export const CLOCK_90KHZ_WRAP = 2 ** 33;

export interface PacketizeOptions {
  /** The PCR base (90 kHz) to carry in the first packet's adaptation field. */
  pcr?: number;
  /** random_access_indicator: this PES starts a keyframe (or is an audio frame a decoder can start at). */
  randomAccess?: boolean;
  /** discontinuity_indicator: the continuity counter or the PCR does not follow from the previous packet. */
  discontinuity?: boolean;
}

/** One PID's continuity_counter: 4 bits, counting packets that carry payload (2.4.3.3). */
export class ContinuityCounter {
  private next = 0;

  take(): number {
    const value = this.next;
    this.next = (this.next + 1) & 0x0f;
    return value;
  }
}

/**
 * Splits one payload unit (a PES packet or a PSI section with its pointer_field), given as parts, into transport
 * packets on `pid`, written into one Buffer: payload_unit_start_indicator on the first packet, an adaptation field
 * there for the PCR / random access / discontinuity flags, and the last packet filled out with adaptation-field
 * stuffing (0xFF), the only stuffing a PES may use (2.4.3.5).
 */
export function packetize(pid: number, cc: ContinuityCounter, parts: readonly Buffer[], options: PacketizeOptions = {}): Buffer {
  if (pid < 0 || pid > 0x1fff) throw new BugError(`PID ${pid} does not fit 13 bits`);
  let length = 0;
  for (const part of parts) length += part.length;
  const flags = (options.randomAccess ? AF_RANDOM_ACCESS : 0) | (options.discontinuity ? AF_DISCONTINUITY : 0) | (options.pcr !== undefined ? AF_PCR : 0);
  const firstAf = flags === 0 ? 0 : AF_MIN_WITH_FLAGS + (options.pcr !== undefined ? PCR_SIZE : 0);
  const firstCapacity = TS_PAYLOAD_MAX - firstAf;
  const count = 1 + Math.ceil(Math.max(0, length - firstCapacity) / TS_PAYLOAD_MAX);
  const out = Buffer.allocUnsafe(count * TS_PACKET_SIZE);

  let partIndex = 0;
  let partOffset = 0;
  let left = length;
  for (let n = 0; n < count; n++) {
    const base = n * TS_PACKET_SIZE;
    const first = n === 0;
    const afBase = first ? firstAf : 0;
    const take = Math.min(left, TS_PAYLOAD_MAX - afBase);
    // Stuffing: the adaptation field grows so that header + field + payload is exactly 188 bytes.
    const af = TS_PAYLOAD_MAX - take;
    out[base] = TS_SYNC_BYTE;
    out[base + 1] = (first ? 0x40 : 0) | ((pid >>> 8) & 0x1f);
    out[base + 2] = pid & 0xff;
    out[base + 3] = (af > 0 ? AFC_BOTH : AFC_PAYLOAD) | cc.take();
    let pos = base + TS_HEADER_SIZE;
    if (af > 0) {
      out[pos++] = af - 1; // adaptation_field_length counts the bytes after itself
      if (af > 1) {
        out[pos++] = first ? flags : 0;
        if (first && options.pcr !== undefined) pos = writePcr(out, pos, options.pcr);
        const end = base + TS_HEADER_SIZE + af;
        out.fill(0xff, pos, end);
        pos = end;
      }
    }
    let need = take;
    while (need > 0) {
      const part = parts[partIndex] as Buffer;
      const chunk = Math.min(need, part.length - partOffset);
      part.copy(out, pos, partOffset, partOffset + chunk);
      pos += chunk;
      need -= chunk;
      partOffset += chunk;
      if (partOffset === part.length) {
        partIndex++;
        partOffset = 0;
      }
    }
    left -= take;
  }
  return out;
}

/** program_clock_reference_base (33 bits), 6 reserved bits, program_clock_reference_extension (9 bits, here 0). */
function writePcr(out: Buffer, pos: number, pcrBase: number): number {
  const base = ((pcrBase % CLOCK_90KHZ_WRAP) + CLOCK_90KHZ_WRAP) % CLOCK_90KHZ_WRAP;
  const high = Math.floor(base / 2); // the top 32 of the 33 bits
  out.writeUInt32BE(high >>> 0, pos);
  out[pos + 4] = ((base & 1) << 7) | 0x7e; // last base bit, reserved '111111', extension bit 8 = 0
  out[pos + 5] = 0; // extension bits 7..0
  return pos + PCR_SIZE;
}
