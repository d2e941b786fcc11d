import { ProtocolError } from '../../errors.js';
import { BitReader } from './bit-reader.js';

export interface AvcInfo {
  /** profile_idc: 66 Baseline, 77 Main, 100 High, 110 High 10, 122 High 4:2:2, 244 High 4:4:4, ... */
  profile: number;
  /** level_idc: ten times the level number (31 = level 3.1). */
  level: number;
  /** Displayed size in pixels, after frame cropping. */
  width: number;
  height: number;
}

/** nal_unit_type of a sequence parameter set (ITU-T H.264 Table 7-1). */
const NAL_TYPE_SPS = 7;

/** Profiles whose SPS carries chroma_format_idc, bit depths and scaling lists (H.264 7.3.2.1.1). */
const HIGH_PROFILES: ReadonlySet<number> = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/**
 * Parses an AVCDecoderConfigurationRecord and its first SPS (emulation prevention removed, frame cropping, chroma
 * format and scaling lists for High profiles, frame_mbs_only). ProtocolError 'FLV_BAD_TAG' on malformed input.
 */
export function parseAvcConfig(record: Buffer): AvcInfo {
  // ISO/IEC 14496-15 5.3.3.1.2: configurationVersion (1), AVCProfileIndication, profile_compatibility,
  // AVCLevelIndication, reserved (6) + lengthSizeMinusOne (2), reserved (3) + numOfSequenceParameterSets (5),
  // then each SPS as a UI16 length and the NAL unit.
  if (record.length < 8) bad('AVCDecoderConfigurationRecord is truncated');
  if (record[0] !== 1) bad(`AVCDecoderConfigurationRecord version ${record[0]} is not 1`);
  if (((record[5] as number) & 0x1f) === 0) bad('AVCDecoderConfigurationRecord has no sequence parameter set');
  const spsLength = record.readUInt16BE(6);
  if (8 + spsLength > record.length) bad('AVCDecoderConfigurationRecord SPS runs past the record');
  return parseAvcSps(record.subarray(8, 8 + spsLength));
}

/** Parses one SPS NAL unit (header byte included, emulation prevention bytes still in place). */
export function parseAvcSps(nalUnit: Buffer): AvcInfo {
  if (nalUnit.length < 4) bad('H.264 SPS is truncated');
  if (((nalUnit[0] as number) & 0x1f) !== NAL_TYPE_SPS) bad('H.264 parameter set is not an SPS');
  const r = new BitReader(unescapeRbsp(nalUnit.subarray(1)), 'H.264 sequence parameter set');

  // seq_parameter_set_data(), ITU-T H.264 7.3.2.1.1; value ranges from 7.4.2.1.1.
  const profile = r.bits(8);
  r.skip(8); // constraint_set0..5_flag, reserved_zero_2bits
  const level = r.bits(8);
  if (r.ue() > 31) bad('H.264 SPS seq_parameter_set_id is above 31');

  let chromaFormatIdc = 1; // 4:2:0 when not signalled
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc > 3) bad(`H.264 SPS chroma_format_idc ${chromaFormatIdc} is above 3`);
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    if (r.ue() > 6 || r.ue() > 6) bad('H.264 SPS bit depth is above 14'); // bit_depth_luma/chroma_minus8
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      // seq_scaling_matrix_present_flag: 6 4x4 lists, then 2 (or 6 for 4:4:4) 8x8 lists.
      const lists = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }

  if (r.ue() > 12) bad('H.264 SPS log2_max_frame_num_minus4 is above 12');
  const picOrderCntType = r.ue();
  if (picOrderCntType === 0) {
    if (r.ue() > 12) bad('H.264 SPS log2_max_pic_order_cnt_lsb_minus4 is above 12');
  } else if (picOrderCntType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    if (cycle > 255) bad('H.264 SPS num_ref_frames_in_pic_order_cnt_cycle is above 255');
    for (let i = 0; i < cycle; i++) r.se(); // offset_for_ref_frame
  } else if (picOrderCntType !== 2) {
    bad(`H.264 SPS pic_order_cnt_type ${picOrderCntType} is above 2`);
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.ue() + 1;
  const heightInMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  let cropLeft = 0;
  let cropRight = 0;
  let cropTop = 0;
  let cropBottom = 0;
  if (r.flag()) {
    cropLeft = r.ue();
    cropRight = r.ue();
    cropTop = r.ue();
    cropBottom = r.ue();
  }

  // Frame size and crop units, H.264 7.4.2.1.1 (equations 7-18 to 7-21) and Table 6-1 (SubWidthC, SubHeightC).
  // A field-coded stream (frame_mbs_only_flag 0) counts map units of two macroblock rows.
  const fieldFactor = frameMbsOnly ? 1 : 2;
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const cropUnitX = chromaArrayType === 0 || chromaFormatIdc === 3 ? 1 : 2;
  const cropUnitY = (chromaArrayType === 1 ? 2 : 1) * fieldFactor;
  const width = widthInMbs * 16 - cropUnitX * (cropLeft + cropRight);
  const height = fieldFactor * heightInMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
  if (width <= 0 || height <= 0) bad('H.264 SPS frame cropping leaves no picture');
  return { profile, level, width, height };
}

/** scaling_list(), H.264 7.3.2.1.1.1: only its length matters to us. */
function skipScalingList(r: BitReader, size: number): void {
  let lastScale = 8;
  let nextScale = 8;
  for (let j = 0; j < size; j++) {
    if (nextScale !== 0) {
      const delta = r.se();
      if (delta < -128 || delta > 127) bad('H.264 SPS delta_scale is out of range');
      nextScale = (lastScale + delta + 256) % 256;
    }
    lastScale = nextScale === 0 ? lastScale : nextScale;
  }
}

/**
 * NAL unit payload to RBSP: drops each emulation_prevention_three_byte, the 0x03 in 0x00 0x00 0x03 (H.264 7.4.1).
 * Returns the input itself when there is none, which is the common case for short parameter sets.
 */
function unescapeRbsp(data: Buffer): Buffer {
  let first = -1;
  for (let i = 2; i < data.length; i++) {
    if (data[i] === 3 && data[i - 1] === 0 && data[i - 2] === 0) {
      first = i;
      break;
    }
  }
  if (first < 0) return data;
  const out = Buffer.allocUnsafe(data.length);
  data.copy(out, 0, 0, first);
  let n = first;
  let zeros = 0;
  for (let i = first + 1; i < data.length; i++) {
    const byte = data[i] as number;
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out[n++] = byte;
  }
  return out.subarray(0, n);
}

function bad(message: string): never {
  throw new ProtocolError('FLV_BAD_TAG', message);
}
