import { ProtocolError } from '../../errors.js';
import { BitReader } from './bit-reader.js';

export interface AacInfo {
  /** Audio Object Type (ISO/IEC 14496-3 Table 1.1): 2 AAC LC, 5 HE-AAC (SBR), 29 HE-AAC v2 (PS), ... */
  objectType: number;
  /** Output sample rate in Hz: the SBR extension rate for HE-AAC, else the core rate. */
  sampleRate: number;
  /** Output channels; 0 when the configuration leaves the layout to the bitstream (no program_config_element). */
  channels: number;
}

/** samplingFrequencyIndex 0..12, ISO/IEC 14496-3 Table 1.18; 13 and 14 are reserved, 15 escapes to 24 bits. */
const SAMPLING_FREQUENCIES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
const SAMPLING_FREQUENCY_ESCAPE = 15;

/** Channels per channelConfiguration, ISO/IEC 14496-3 Table 1.19 (amended); -1 marks the reserved values 8-10, 15. */
const CHANNELS_BY_CONFIGURATION = [0, 1, 2, 3, 4, 5, 6, 8, -1, -1, -1, 7, 8, 24, 8, -1];

const AOT_ESCAPE = 31;
const AOT_SBR = 5;
const AOT_PS = 29;
const AOT_ER_BSAC = 22;

/** Object types whose AudioSpecificConfig continues with GASpecificConfig (14496-3 1.6.2.1). */
const GA_OBJECT_TYPES: ReadonlySet<number> = new Set([1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23]);

/** syncExtensionType values for backward-compatible SBR / PS signalling after GASpecificConfig (1.6.5, 1.6.6). */
const SYNC_EXTENSION_SBR = 0x2b7;
const SYNC_EXTENSION_PS = 0x548;

/** Parses an AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1). ProtocolError 'FLV_BAD_TAG' on malformed input. */
export function parseAacConfig(asc: Buffer): AacInfo {
  const r = new BitReader(asc, 'AAC AudioSpecificConfig');
  let objectType = readObjectType(r);
  if (objectType === 0) bad('AAC AudioSpecificConfig has audio object type 0 (null)');
  let sampleRate = readSamplingFrequency(r);
  const channelConfiguration = r.bits(4);
  let channels = CHANNELS_BY_CONFIGURATION[channelConfiguration] ?? -1;
  if (channels < 0) bad(`AAC channelConfiguration ${channelConfiguration} is reserved`);

  // Explicit hierarchical signalling: SBR/PS wraps a core object type; the output rate is the extension rate.
  let coreType = objectType;
  const explicitSbr = objectType === AOT_SBR || objectType === AOT_PS;
  if (explicitSbr) {
    sampleRate = readSamplingFrequency(r);
    coreType = readObjectType(r);
    if (coreType === AOT_ER_BSAC) r.skip(4); // extensionChannelConfiguration
  }

  if (GA_OBJECT_TYPES.has(coreType)) {
    const pceChannels = readGaSpecificConfig(r, coreType, channelConfiguration);
    if (pceChannels !== undefined) channels = pceChannels;
    // Backward-compatible signalling: an AAC LC config followed by an SBR (and maybe PS) sync extension.
    if (!explicitSbr && r.bitsLeft >= 16 && r.bits(11) === SYNC_EXTENSION_SBR) {
      if (readObjectType(r) === AOT_SBR && r.flag()) {
        objectType = AOT_SBR;
        sampleRate = readSamplingFrequency(r);
        if (r.bitsLeft >= 12 && r.bits(11) === SYNC_EXTENSION_PS && r.flag()) objectType = AOT_PS;
      }
    }
  }

  // Parametric Stereo decodes a mono core into two output channels (14496-3 8.6.4).
  if (objectType === AOT_PS && channels === 1) channels = 2;
  return { objectType, sampleRate, channels };
}

/** GetAudioObjectType(), 14496-3 1.6.2.1.1. */
function readObjectType(r: BitReader): number {
  const type = r.bits(5);
  return type === AOT_ESCAPE ? 32 + r.bits(6) : type;
}

function readSamplingFrequency(r: BitReader): number {
  const index = r.bits(4);
  if (index === SAMPLING_FREQUENCY_ESCAPE) {
    const frequency = r.bits(24);
    if (frequency === 0) bad('AAC explicit sampling frequency is 0');
    return frequency;
  }
  const frequency = SAMPLING_FREQUENCIES[index];
  if (frequency === undefined) bad(`AAC samplingFrequencyIndex ${index} is reserved`);
  return frequency;
}

/** GASpecificConfig(), 14496-3 4.4.1; returns the channel count of its program_config_element, if it has one. */
function readGaSpecificConfig(
  r: BitReader,
  objectType: number,
  channelConfiguration: number,
): number | undefined {
  r.skip(1); // frameLengthFlag
  if (r.flag()) r.skip(14); // dependsOnCoreCoder: coreCoderDelay
  const extensionFlag = r.flag();
  const channels = channelConfiguration === 0 ? readProgramConfigChannels(r) : undefined;
  if (objectType === 6 || objectType === 20) r.skip(3); // layerNr
  if (extensionFlag) {
    if (objectType === AOT_ER_BSAC) r.skip(5 + 11); // numOfSubFrame, layer_length
    if (objectType === 17 || objectType === 19 || objectType === 20 || objectType === 23) r.skip(3); // resilience flags
    r.skip(1); // extensionFlag3
  }
  return channels;
}

/** program_config_element(), 14496-3 4.4.1.1 (Table 4.2): counts the channels its elements carry. */
function readProgramConfigChannels(r: BitReader): number {
  r.skip(4 + 2 + 4); // element_instance_tag, object_type, sampling_frequency_index
  const front = r.bits(4);
  const side = r.bits(4);
  const back = r.bits(4);
  const lfe = r.bits(2);
  const assocData = r.bits(3);
  const validCc = r.bits(4);
  if (r.flag()) r.skip(4); // mono_mixdown_element_number
  if (r.flag()) r.skip(4); // stereo_mixdown_element_number
  if (r.flag()) r.skip(3); // matrix_mixdown_idx, pseudo_surround_enable
  let channels = lfe;
  for (let i = 0; i < front + side + back; i++) {
    channels += r.flag() ? 2 : 1; // *_element_is_cpe: a channel pair element carries two
    r.skip(4); // *_element_tag_select
  }
  r.skip(lfe * 4 + assocData * 4 + validCc * 5);
  r.skip((8 - (r.bitsRead % 8)) % 8); // byte_alignment(), relative to the start of the AudioSpecificConfig
  r.skip(r.bits(8) * 8); // comment_field_bytes, comment_field_data
  if (channels === 0) bad('AAC program_config_element has no channels');
  return channels;
}

function bad(message: string): never {
  throw new ProtocolError('FLV_BAD_TAG', message);
}
