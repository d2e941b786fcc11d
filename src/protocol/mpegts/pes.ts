import { CLOCK_90KHZ_WRAP } from './ts-packet.js';

/** stream_id (ISO/IEC 13818-1 Table 2-22): the first video and the first audio stream. */
export const STREAM_ID_VIDEO = 0xe0;
export const STREAM_ID_AUDIO = 0xc0;

/** PES_packet_length is 16 bits; 0 ("unbounded") is allowed for video elementary streams only (2.4.3.7). */
const PES_LENGTH_MAX = 0xffff;
/** Bytes after PES_packet_length: the '10' flags byte, the PTS_DTS_flags byte, PES_header_data_length. */
const PES_OPTIONAL_HEADER = 3;
const TIMESTAMP_SIZE = 5;

/**
 * The header of a PES packet (2.4.3.6) carrying `payloadLength` bytes, with a PTS and, when it differs, a DTS.
 * Timestamps are 90 kHz and wrap at 33 bits.
 */
export function pesHeader(streamId: number, payloadLength: number, pts: number, dts = pts): Buffer {
  const withDts = dts !== pts;
  const dataLength = withDts ? 2 * TIMESTAMP_SIZE : TIMESTAMP_SIZE;
  const out = Buffer.alloc(6 + PES_OPTIONAL_HEADER + dataLength);
  out[2] = 0x01; // packet_start_code_prefix 00 00 01
  out[3] = streamId;
  const pesLength = PES_OPTIONAL_HEADER + dataLength + payloadLength;
  out.writeUInt16BE(pesLength > PES_LENGTH_MAX ? 0 : pesLength, 4);
  out[6] = 0x80; // '10', not scrambled, no priority, no alignment flag, no copyright, copy
  out[7] = withDts ? 0xc0 : 0x80; // PTS_DTS_flags '11' or '10', no other optional fields
  out[8] = dataLength;
  writeTimestamp(out, 9, withDts ? 0x3 : 0x2, pts);
  if (withDts) writeTimestamp(out, 14, 0x1, dts);
  return out;
}


/** '0010'/'0011'/'0001' prefix, then the 33 bits split 3/15/15, each group followed by a marker bit 1. */
function writeTimestamp(out: Buffer, pos: number, prefix: number, timestamp: number): void {
  const ts = ((Math.round(timestamp) % CLOCK_90KHZ_WRAP) + CLOCK_90KHZ_WRAP) % CLOCK_90KHZ_WRAP;
  const high = Math.floor(ts / 2 ** 30); // bits 32..30
  const low = ts % 2 ** 30; // bits 29..0, fits an int32
  out[pos] = (prefix << 4) | (high << 1) | 1;
  out[pos + 1] = (low >>> 22) & 0xff;
  out[pos + 2] = (((low >>> 15) & 0x7f) << 1) | 1;
  out[pos + 3] = (low >>> 7) & 0xff;
  out[pos + 4] = ((low & 0x7f) << 1) | 1;
}
