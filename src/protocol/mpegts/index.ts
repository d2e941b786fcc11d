export { TsMuxer, TS_TIMESTAMP_DELAY, type TsTracks } from './ts-muxer.js';
export { TS_PACKET_SIZE, TS_SYNC_BYTE, CLOCK_90KHZ_WRAP, ContinuityCounter, packetize } from './ts-packet.js';
export { PID_AUDIO, PID_PAT, PID_PMT, PID_VIDEO, STREAM_TYPE_ADTS_AAC, STREAM_TYPE_AVC, patSection, pmtSection } from './psi.js';
export { pesHeader, STREAM_ID_AUDIO, STREAM_ID_VIDEO } from './pes.js';
export { avccToAnnexB, readAvcDecoderConfig, type AvcDecoderConfig } from './avc-annexb.js';
export { adtsConfigOf, adtsHeader, ADTS_HEADER_SIZE, type AdtsConfig } from './adts.js';
export { crc32Mpeg } from './crc32.js';
export { aacConfigOf, aacFrameOf, avcConfigRecordOf, avcSampleOf, type AvcSample } from './flv-samples.js';
