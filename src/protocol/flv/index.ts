export {
  FlvTagType,
  FLV_TAG_HEADER_SIZE,
  FLV_FILE_HEADER_SIZE,
  FLV_PREVIOUS_TAG_SIZE_SIZE,
  MAX_FLV_TAG_SIZE,
  flvFileHeader,
  writeFlvTag,
  writeFlvTagParts,
  type FlvTag,
} from './flv-tag.js';
export { FlvReader } from './flv-reader.js';
export { parseVideoTag, type VideoCodec, type VideoTagInfo } from './video-tag.js';
export { parseAudioTag, type AudioCodec, type AudioTagInfo } from './audio-tag.js';
export { parseAvcConfig, parseAvcSps, type AvcInfo } from './avc-config.js';
export { parseAacConfig, type AacInfo } from './aac-config.js';
export { BitReader, MAX_EXP_GOLOMB_LEADING_ZEROS } from './bit-reader.js';
