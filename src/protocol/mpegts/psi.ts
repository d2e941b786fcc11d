import { crc32Mpeg } from './crc32.js';

/** PIDs of a single-program stream, as most HLS packagers lay it out (ffmpeg, nginx-rtmp, Apple's tools). */
export const PID_PAT = 0x0000;
export const PID_PMT = 0x1000;
export const PID_VIDEO = 0x0100;
export const PID_AUDIO = 0x0101;
export const PROGRAM_NUMBER = 1;

/** stream_type (ISO/IEC 13818-1 Table 2-34): AVC video (0x1B) and ADTS AAC audio (0x0F). */
export const STREAM_TYPE_AVC = 0x1b;
export const STREAM_TYPE_ADTS_AAC = 0x0f;

const TABLE_ID_PAT = 0x00;
const TABLE_ID_PMT = 0x02;
const CRC_SIZE = 4;

export interface PmtStream {
  streamType: number;
  pid: number;
}

/**
 * program_association_section (2.4.4.3) with its pointer_field: one program, PROGRAM_NUMBER, on PID_PMT.
 * transport_stream_id 1, version 0, current.
 */
export function patSection(): Buffer {
  const body = Buffer.from([
    0x00, 0x01, // transport_stream_id
    0xc1, // reserved '11', version_number 0, current_next_indicator 1
    0x00, 0x00, // section_number, last_section_number
    PROGRAM_NUMBER >>> 8, PROGRAM_NUMBER & 0xff,
    0xe0 | (PID_PMT >>> 8), PID_PMT & 0xff, // reserved '111' + program_map_PID
  ]);
  return section(TABLE_ID_PAT, body);
}

/**
 * TS_program_map_section (2.4.4.8): PCR on `pcrPid`, one elementary stream per entry, no descriptors.
 * `version` (5 bits) changes whenever the set of streams does.
 */
export function pmtSection(streams: readonly PmtStream[], pcrPid: number, version = 0): Buffer {
  const body = Buffer.alloc(9 + streams.length * 5);
  body.writeUInt16BE(PROGRAM_NUMBER, 0);
  body[2] = 0xc1 | ((version & 0x1f) << 1); // reserved '11', version_number, current_next_indicator 1
  body[3] = 0; // section_number
  body[4] = 0; // last_section_number
  body.writeUInt16BE(0xe000 | pcrPid, 5); // reserved '111' + PCR_PID
  body.writeUInt16BE(0xf000, 7); // reserved '1111' + program_info_length 0
  let pos = 9;
  for (const stream of streams) {
    body[pos] = stream.streamType;
    body.writeUInt16BE(0xe000 | stream.pid, pos + 1); // reserved '111' + elementary_PID
    body.writeUInt16BE(0xf000, pos + 3); // reserved '1111' + ES_info_length 0
    pos += 5;
  }
  return section(TABLE_ID_PMT, body);
}

/** pointer_field 0, table_id, section_syntax_indicator + section_length, the body, CRC_32. */
function section(tableId: number, body: Buffer): Buffer {
  const sectionLength = body.length + CRC_SIZE;
  const out = Buffer.alloc(1 + 3 + sectionLength);
  out[0] = 0; // pointer_field: the section starts right after it
  out[1] = tableId;
  out.writeUInt16BE(0xb000 | sectionLength, 2); // section_syntax_indicator 1, '0', reserved '11'
  body.copy(out, 4);
  out.writeUInt32BE(crc32Mpeg(out, 1, out.length - CRC_SIZE), out.length - CRC_SIZE);
  return out;
}
