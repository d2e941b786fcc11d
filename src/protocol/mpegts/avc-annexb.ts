import { ProtocolError } from '../../errors.js';

/** nal_unit_type values (ITU-T H.264 Table 7-1) the converter looks at. */
const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_PPS = 8;
const NAL_AUD = 9;

/** Annex B start code (B.1.2). A four-byte one everywhere keeps every NAL unit byte-aligned for any parser. */
const START_CODE = Buffer.from([0x00, 0x00, 0x00, 0x01]);
/**
 * An access unit delimiter (7.3.2.4) with primary_pic_type 7 (any slice type) and its stop bit. MPEG-2 TS requires
 * each AVC access unit to begin with one (ISO/IEC 13818-1 2.14.1); Apple's and most hardware decoders rely on it.
 */
const AUD = Buffer.from([0x00, 0x00, 0x00, 0x01, NAL_AUD, 0xf0]);

/** The parameter sets and NAL length size of an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1). */
export interface AvcDecoderConfig {
  /** Bytes of each NAL unit's length prefix in the samples: lengthSizeMinusOne + 1 (1, 2 or 4). */
  nalLengthSize: number;
  sps: Buffer[];
  pps: Buffer[];
  /** The RFC 6381 codecs string, `avc1.PPCCLL` (profile, constraint flags, level in hex). */
  codecs: string;
}

/** Reads the record's parameter sets (views of `record`); ProtocolError 'FLV_BAD_TAG' when malformed. */
export function readAvcDecoderConfig(record: Buffer): AvcDecoderConfig {
  if (record.length < 7) bad('AVCDecoderConfigurationRecord is truncated');
  if (record[0] !== 1) bad(`AVCDecoderConfigurationRecord version ${record[0]} is not 1`);
  const nalLengthSize = ((record[4] as number) & 0x03) + 1;
  if (nalLengthSize === 3) bad('AVCDecoderConfigurationRecord lengthSizeMinusOne 2 is not allowed');
  let pos = 5;
  const sps = readSets(record, pos, (record[pos] as number) & 0x1f, 'SPS');
  pos = sps.end;
  if (pos >= record.length) bad('AVCDecoderConfigurationRecord has no picture parameter set count');
  const pps = readSets(record, pos, record[pos] as number, 'PPS');
  if (sps.units.length === 0) bad('AVCDecoderConfigurationRecord has no sequence parameter set');
  if (pps.units.length === 0) bad('AVCDecoderConfigurationRecord has no picture parameter set');
  const hex = (i: number) => (record[i] as number).toString(16).padStart(2, '0');
  return { nalLengthSize, sps: sps.units, pps: pps.units, codecs: `avc1.${hex(1)}${hex(2)}${hex(3)}` };
}

function readSets(record: Buffer, countAt: number, count: number, what: string): { units: Buffer[]; end: number } {
  const units: Buffer[] = [];
  let pos = countAt + 1;
  for (let i = 0; i < count; i++) {
    if (pos + 2 > record.length) bad(`AVCDecoderConfigurationRecord ${what} length is truncated`);
    const length = record.readUInt16BE(pos);
    pos += 2;
    if (length === 0 || pos + length > record.length) bad(`AVCDecoderConfigurationRecord ${what} runs past the record`);
    units.push(record.subarray(pos, pos + length));
    pos += length;
  }
  return { units, end: pos };
}

/**
 * One access unit from length-prefixed NAL units (AVCC, as FLV and RTMP carry them) to Annex B byte-stream parts:
 * an AUD first, the record's SPS and PPS before an IDR picture that does not carry its own (so every segment that
 * starts on a keyframe decodes alone), then every NAL unit of the sample except AUDs behind a start code. The
 * returned parts are views of `sample` and of `config`; nothing is copied.
 */
export function avccToAnnexB(sample: Buffer, config: AvcDecoderConfig): Buffer[] {
  const units: Buffer[] = [];
  let hasIdr = false;
  let hasParameterSets = false;
  const size = config.nalLengthSize;
  let pos = 0;
  while (pos < sample.length) {
    if (pos + size > sample.length) bad('H.264 sample ends inside a NAL unit length');
    const length = size === 4 ? sample.readUInt32BE(pos) : size === 2 ? sample.readUInt16BE(pos) : (sample[pos] as number);
    pos += size;
    if (length > sample.length - pos) bad(`H.264 NAL unit of ${length} bytes runs past the sample`);
    if (length === 0) continue;
    const unit = sample.subarray(pos, pos + length);
    pos += length;
    const type = (unit[0] as number) & 0x1f;
    if (type === NAL_AUD) continue;
    if (type === NAL_IDR) hasIdr = true;
    if (type === NAL_SPS || type === NAL_PPS) hasParameterSets = true;
    units.push(unit);
  }
  const parts: Buffer[] = [AUD];
  if (hasIdr && !hasParameterSets) {
    for (const unit of [...config.sps, ...config.pps]) parts.push(START_CODE, unit);
  }
  for (const unit of units) parts.push(START_CODE, unit);
  return parts;
}

function bad(message: string): never {
  throw new ProtocolError('FLV_BAD_TAG', message);
}
