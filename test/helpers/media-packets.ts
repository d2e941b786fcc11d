import { MediaPacket } from '../../src/media/media-packet.js';

/** Channel packets built by hand (FLV payloads of H.264 and AAC), for unit tests of channel sinks. */

/** An AVCDecoderConfigurationRecord written by ffmpeg 5.1 / libx264 (1280x720 Constrained Baseline 3.1). */
export const AVC_RECORD = Buffer.from('0142c01fffe100176742c01fda014016ec0440000003004000000f03c60ca801000468ce0fc8', 'hex');
/** AudioSpecificConfig of AAC LC, 44.1 kHz, stereo. */
export const ASC_LC = Buffer.from([0x12, 0x10]);

export const videoHeader = (ts: number, record = AVC_RECORD): MediaPacket =>
  new MediaPacket('video', ts, Buffer.concat([Buffer.from([0x17, 0, 0, 0, 0]), record]), true, true);

export const audioHeader = (ts: number): MediaPacket => new MediaPacket('audio', ts, Buffer.concat([Buffer.from([0xaf, 0]), ASC_LC]), false, true);

/** One AVC frame of `bytes` bytes (a single NAL unit: IDR for a keyframe, else a non-IDR slice). */
export function videoFrame(ts: number, keyframe: boolean, bytes = 200): MediaPacket {
  const nal = Buffer.alloc(bytes, 0x41);
  nal[0] = keyframe ? 0x65 : 0x41;
  const payload = Buffer.concat([Buffer.from([keyframe ? 0x17 : 0x27, 1, 0, 0, 0]), Buffer.from([0, 0, (bytes >> 8) & 0xff, bytes & 0xff]), nal]);
  return new MediaPacket('video', ts, payload, keyframe);
}

export const aacFrame = (ts: number): MediaPacket => new MediaPacket('audio', ts, Buffer.concat([Buffer.from([0xaf, 1]), Buffer.alloc(100, 3)]));
