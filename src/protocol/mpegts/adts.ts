import { ProtocolError } from '../../errors.js';

/** What an ADTS header needs from an AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1). */
export interface AdtsConfig {
  /** profile_ObjectType (2 bits): the core Audio Object Type minus one (1 = AAC LC). */
  profile: number;
  /** sampling_frequency_index of the core coder (Table 1.18). */
  frequencyIndex: number;
  channelConfiguration: number;
}

/** ADTS fixed + variable header without CRC (protection_absent 1): 7 bytes (ISO/IEC 14496-3 1.A.2.2). */
export const ADTS_HEADER_SIZE = 7;
/** aac_frame_length is 13 bits and counts the header. */
const ADTS_FRAME_MAX = 0x1fff;
const AOT_ESCAPE = 31;
const AOT_SBR = 5;
const AOT_PS = 29;
const FREQUENCY_ESCAPE = 15;
const FREQUENCY_INDEX_MAX = 12;
/** ADTS profile_ObjectType is 2 bits: Main, LC, SSR, LTP (object types 1-4). */
const ADTS_MAX_OBJECT_TYPE = 4;

/**
 * The ADTS fields of an AudioSpecificConfig. HE-AAC (SBR, PS) is carried as its AAC LC core at the core rate, with the
 * extension left implicit, as ADTS requires. Configurations ADTS cannot express (an explicit 24-bit sampling rate,
 * channelConfiguration 0 with a program_config_element, object types above 4) are ProtocolError 'FLV_BAD_TAG'.
 */
export function adtsConfigOf(asc: Buffer): AdtsConfig {
  if (asc.length < 2) bad('AAC AudioSpecificConfig is shorter than 2 bytes');
  let bit = 0;
  const read = (n: number): number => {
    let value = 0;
    for (let i = 0; i < n; i++, bit++) {
      const byte = asc[bit >>> 3];
      if (byte === undefined) bad('AAC AudioSpecificConfig is truncated');
      value = (value << 1) | ((byte >>> (7 - (bit & 7))) & 1);
    }
    return value;
  };
  const objectType = (): number => {
    const type = read(5);
    return type === AOT_ESCAPE ? 32 + read(6) : type;
  };
  let type = objectType();
  const frequencyIndex = read(4);
  if (frequencyIndex === FREQUENCY_ESCAPE) bad('AAC with an explicit sampling rate cannot be carried in ADTS');
  if (frequencyIndex > FREQUENCY_INDEX_MAX) bad(`AAC samplingFrequencyIndex ${frequencyIndex} is reserved`);
  const channelConfiguration = read(4);
  if (channelConfiguration === 0) bad('AAC with a program_config_element (channelConfiguration 0) is not supported in ADTS');
  if (channelConfiguration > 7) bad(`AAC channelConfiguration ${channelConfiguration} cannot be carried in ADTS`);
  if (type === AOT_SBR || type === AOT_PS) {
    // Explicit hierarchical signalling: extensionSamplingFrequencyIndex, then the core object type.
    if (read(4) === FREQUENCY_ESCAPE) read(24);
    type = objectType();
  }
  if (type < 1 || type > ADTS_MAX_OBJECT_TYPE) bad(`AAC audio object type ${type} cannot be carried in ADTS`);
  return { profile: type - 1, frequencyIndex, channelConfiguration };
}

/** The 7-byte ADTS header for one raw AAC frame of `payloadLength` bytes (1.A.2.2.1, 1.A.2.2.2). */
export function adtsHeader(config: AdtsConfig, payloadLength: number): Buffer {
  const frameLength = ADTS_HEADER_SIZE + payloadLength;
  if (frameLength > ADTS_FRAME_MAX) bad(`AAC frame of ${payloadLength} bytes is too long for ADTS`);
  const out = Buffer.allocUnsafe(ADTS_HEADER_SIZE);
  out[0] = 0xff; // syncword 0xFFF
  out[1] = 0xf1; // syncword, ID 0 (MPEG-4), layer 00, protection_absent 1
  out[2] = (config.profile << 6) | (config.frequencyIndex << 2) | (config.channelConfiguration >>> 2); // private_bit 0
  out[3] = ((config.channelConfiguration & 0x03) << 6) | (frameLength >>> 11); // original/copy, home, copyright bits 0
  out[4] = (frameLength >>> 3) & 0xff;
  out[5] = ((frameLength & 0x07) << 5) | 0x1f; // adts_buffer_fullness 0x7FF (variable rate)
  out[6] = 0xfc; // buffer fullness, number_of_raw_data_blocks_in_frame 0 (one block)
  return out;
}

function bad(message: string): never {
  throw new ProtocolError('FLV_BAD_TAG', message);
}
