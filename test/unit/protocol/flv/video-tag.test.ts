import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../../src/errors.js';
import { parseAvcConfig } from '../../../../src/protocol/flv/avc-config.js';
import { parseVideoTag, type VideoTagInfo } from '../../../../src/protocol/flv/video-tag.js';
import { BufferBuilder, randomBytes, seededRandom } from '../../../helpers/buffer-builder.js';

/** ffmpeg/libx264 1280x720 AVCDecoderConfigurationRecord (see avc-config.test.ts). */
const AVCC_720P = Buffer.from(
  '0142c01fffe100176742c01fda014016ec0440000003004000000f03c60ca801000468ce0fc8',
  'hex',
);
/** Stand-ins for the codec records: the tag parser passes them through without reading them. */
const HVCC = Buffer.from('01016000000090000000000078f000fcfdf8f800000f03', 'hex');
const AV1C = Buffer.from('81000c000a0b0000002443ffdfd0', 'hex');
const VPCC = Buffer.from('010000001e0a0202020000', 'hex');

/** E-RTMP v2 ExVideoTagHeader first byte: IsExHeader | FrameType (UB[3]) | PacketType (UB[4]). */
const ex = (frameType: number, packetType: number) => 0x80 | (frameType << 4) | packetType;
const KEY = 1;
const INTER = 2;
const COMMAND = 5;
const SEQUENCE_START = 0;
const CODED_FRAMES = 1;
const SEQUENCE_END = 2;
const CODED_FRAMES_X = 3;
const METADATA = 4;
const MPEG2TS_SEQUENCE_START = 5;
const MULTITRACK = 6;
const MOD_EX = 7;

const base: VideoTagInfo = {
  codec: 'h264',
  enhanced: false,
  keyframe: false,
  sequenceHeader: false,
  endOfSequence: false,
};

function badTag(payload: Buffer): void {
  let caught: unknown;
  try {
    parseVideoTag(payload);
  } catch (error) {
    caught = error;
  }
  expect(caught, payload.toString('hex')).toBeInstanceOf(ProtocolError);
  expect((caught as ProtocolError).code).toBe('FLV_BAD_TAG');
}

describe('parseVideoTag: legacy FLV video tags (FLV v10.1 E.4.3)', () => {
  it('AVC sequence header carries the AVCDecoderConfigurationRecord', () => {
    const payload = new BufferBuilder().u8(0x17).u8(0).u24be(0).bytes(AVCC_720P).build();
    const info = parseVideoTag(payload);
    expect(info).toEqual({ ...base, keyframe: true, sequenceHeader: true, config: AVCC_720P });
    expect(parseAvcConfig(info.config!)).toEqual({ profile: 66, level: 31, width: 1280, height: 720 });
  });

  it('AVC NALU keyframe and inter frame', () => {
    expect(parseVideoTag(new BufferBuilder().u8(0x17).u8(1).u24be(80).u32be(2).u16be(0x6588).build())).toEqual({
      ...base,
      keyframe: true,
    });
    expect(parseVideoTag(new BufferBuilder().u8(0x27).u8(1).u24be(0).u32be(2).u16be(0x419a).build())).toEqual(base);
  });

  it('AVC end of sequence', () => {
    expect(parseVideoTag(new BufferBuilder().u8(0x17).u8(2).u24be(0).build())).toEqual({
      ...base,
      keyframe: true,
      endOfSequence: true,
    });
  });

  it('codec id 12 is HEVC with the AVC packet layout', () => {
    const payload = new BufferBuilder().u8(0x1c).u8(0).u24be(0).bytes(HVCC).build();
    expect(parseVideoTag(payload)).toEqual({ ...base, codec: 'hevc', keyframe: true, sequenceHeader: true, config: HVCC });
    expect(parseVideoTag(Buffer.from([0x2c, 1, 0, 0, 0, 0xaa]))).toEqual({ ...base, codec: 'hevc' });
  });

  it('older codecs need only the first byte', () => {
    expect(parseVideoTag(Buffer.from([0x22]))).toEqual({ ...base, codec: 'sorenson' });
    expect(parseVideoTag(Buffer.from([0x13, 0xff]))).toEqual({ ...base, codec: 'screen', keyframe: true });
    expect(parseVideoTag(Buffer.from([0x14, 0x00]))).toEqual({ ...base, codec: 'vp6', keyframe: true });
    expect(parseVideoTag(Buffer.from([0x35]))).toEqual({ ...base, codec: 'vp6' });
    expect(parseVideoTag(Buffer.from([0x16]))).toEqual({ ...base, codec: 'screen', keyframe: true });
    expect(parseVideoTag(Buffer.from([0x18]))).toEqual({ ...base, codec: 'unknown', keyframe: true });
    expect(parseVideoTag(Buffer.from([0x10]))).toEqual({ ...base, codec: 'unknown', keyframe: true });
  });

  it('a command frame (frame type 5) carries no media', () => {
    expect(parseVideoTag(Buffer.from([0x57, 0x00]))).toEqual(base);
    expect(parseVideoTag(Buffer.from([0x57]))).toEqual(base);
  });

  it('raises FLV_BAD_TAG when too short or with an unknown AVCPacketType', () => {
    badTag(Buffer.alloc(0));
    for (let n = 1; n < 5; n++) badTag(Buffer.from([0x17, 0, 0, 0, 0].slice(0, n)));
    badTag(Buffer.from([0x1c, 0, 0, 0]));
    badTag(Buffer.from([0x17, 3, 0, 0, 0]));
  });
});

describe('parseVideoTag: enhanced RTMP video tags (E-RTMP v2 ExVideoTagHeader)', () => {
  const enhanced = (codec: VideoTagInfo['codec'], fourCc: string, more: Partial<VideoTagInfo> = {}): VideoTagInfo => ({
    ...base,
    codec,
    fourCc,
    enhanced: true,
    ...more,
  });
  const tag = (first: number, fourCc: string, body: Buffer | number[] = []) =>
    new BufferBuilder().u8(first).utf8(fourCc).bytes(body).build();

  const FIXTURES: { name: string; payload: Buffer; info: VideoTagInfo }[] = [
    {
      name: 'hvc1 sequence start',
      payload: tag(ex(KEY, SEQUENCE_START), 'hvc1', HVCC),
      info: enhanced('hevc', 'hvc1', { keyframe: true, sequenceHeader: true, config: HVCC }),
    },
    {
      name: 'hvc1 coded keyframe with composition time',
      payload: tag(ex(KEY, CODED_FRAMES), 'hvc1', [0, 0, 40, 0, 0, 0, 2, 0x26, 0x01]),
      info: enhanced('hevc', 'hvc1', { keyframe: true }),
    },
    {
      name: 'hvc1 inter frame without composition time (CodedFramesX)',
      payload: tag(ex(INTER, CODED_FRAMES_X), 'hvc1', [0, 0, 0, 2, 0x02, 0x01]),
      info: enhanced('hevc', 'hvc1'),
    },
    {
      name: 'hvc1 sequence end',
      payload: tag(ex(KEY, SEQUENCE_END), 'hvc1'),
      info: enhanced('hevc', 'hvc1', { keyframe: true, endOfSequence: true }),
    },
    {
      name: 'av01 sequence start',
      payload: tag(ex(KEY, SEQUENCE_START), 'av01', AV1C),
      info: enhanced('av1', 'av01', { keyframe: true, sequenceHeader: true, config: AV1C }),
    },
    {
      name: 'av01 MPEG-2 TS sequence start (AV1 video descriptor)',
      payload: tag(ex(KEY, MPEG2TS_SEQUENCE_START), 'av01', [0x80, 0x04, 0x81, 0x00, 0x0c, 0x00]),
      info: enhanced('av1', 'av01', {
        keyframe: true,
        sequenceHeader: true,
        config: Buffer.from([0x80, 0x04, 0x81, 0x00, 0x0c, 0x00]),
      }),
    },
    {
      name: 'av01 coded keyframe and inter frame',
      payload: tag(ex(KEY, CODED_FRAMES), 'av01', [0x12, 0x00, 0x0a, 0x0b]),
      info: enhanced('av1', 'av01', { keyframe: true }),
    },
    {
      name: 'av01 inter frame',
      payload: tag(ex(INTER, CODED_FRAMES), 'av01', [0x12, 0x00, 0x32]),
      info: enhanced('av1', 'av01'),
    },
    {
      name: 'vp09 sequence start',
      payload: tag(ex(KEY, SEQUENCE_START), 'vp09', VPCC),
      info: enhanced('vp9', 'vp09', { keyframe: true, sequenceHeader: true, config: VPCC }),
    },
    {
      name: 'vp09 coded keyframe',
      payload: tag(ex(KEY, CODED_FRAMES), 'vp09', [0x82, 0x49, 0x83]),
      info: enhanced('vp9', 'vp09', { keyframe: true }),
    },
    {
      name: 'vp09 inter frame',
      payload: tag(ex(INTER, CODED_FRAMES), 'vp09', [0x86, 0x00]),
      info: enhanced('vp9', 'vp09'),
    },
    {
      name: 'vp08 keyframe',
      payload: tag(ex(KEY, CODED_FRAMES), 'vp08', [0x10, 0x02, 0x00]),
      info: enhanced('vp8', 'vp08', { keyframe: true }),
    },
    {
      name: 'avc1 sequence start carries an AVCDecoderConfigurationRecord',
      payload: tag(ex(KEY, SEQUENCE_START), 'avc1', AVCC_720P),
      info: enhanced('h264', 'avc1', { keyframe: true, sequenceHeader: true, config: AVCC_720P }),
    },
    {
      name: 'an unknown FourCC keeps its name',
      payload: tag(ex(KEY, CODED_FRAMES), 'xyz1', [1, 2, 3]),
      info: enhanced('unknown', 'xyz1', { keyframe: true }),
    },
    {
      name: 'Metadata ignores the frame type (even Command)',
      payload: tag(ex(COMMAND, METADATA), 'hvc1', [0x02, 0x00, 0x09]),
      info: enhanced('hevc', 'hvc1'),
    },
    {
      name: 'Metadata with frame type KeyFrame is not a keyframe',
      payload: tag(ex(KEY, METADATA), 'av01', [0x02, 0x00, 0x09]),
      info: enhanced('av1', 'av01'),
    },
    {
      name: 'ModEx (TimestampOffsetNano, 3 bytes) before a sequence start',
      payload: new BufferBuilder()
        .u8(ex(KEY, MOD_EX))
        .u8(2)
        .u24be(500_000)
        .u8((0 << 4) | SEQUENCE_START)
        .utf8('hvc1')
        .bytes(HVCC)
        .build(),
      info: enhanced('hevc', 'hvc1', { keyframe: true, sequenceHeader: true, config: HVCC }),
    },
    {
      name: 'ModEx with the 16-bit size form, chained twice',
      payload: new BufferBuilder()
        .u8(ex(INTER, MOD_EX))
        .u8(0xff)
        .u16be(299)
        .zeros(300)
        .u8((1 << 4) | MOD_EX)
        .u8(0)
        .u8(7)
        .u8((0 << 4) | CODED_FRAMES_X)
        .utf8('vp09')
        .bytes([0x86])
        .build(),
      info: enhanced('vp9', 'vp09'),
    },
    {
      name: 'Multitrack, one track: sequence start',
      payload: new BufferBuilder()
        .u8(ex(KEY, MULTITRACK))
        .u8((0 << 4) | SEQUENCE_START)
        .utf8('av01')
        .u8(0)
        .bytes(AV1C)
        .build(),
      info: enhanced('av1', 'av01', { keyframe: true, sequenceHeader: true, config: AV1C }),
    },
    {
      name: 'Multitrack, many tracks of one codec: the first track is described',
      payload: new BufferBuilder()
        .u8(ex(KEY, MULTITRACK))
        .u8((1 << 4) | SEQUENCE_START)
        .utf8('hvc1')
        .u8(0)
        .u24be(HVCC.length)
        .bytes(HVCC)
        .u8(1)
        .u24be(4)
        .bytes([1, 2, 3, 4])
        .build(),
      info: enhanced('hevc', 'hvc1', { keyframe: true, sequenceHeader: true, config: HVCC }),
    },
    {
      name: 'Multitrack, many tracks of many codecs: each track names its FourCC',
      payload: new BufferBuilder()
        .u8(ex(INTER, MULTITRACK))
        .u8((2 << 4) | CODED_FRAMES)
        .utf8('avc1')
        .u8(0)
        .u24be(5)
        .bytes([0, 0, 0, 0xaa, 0xbb])
        .utf8('av01')
        .u8(1)
        .u24be(1)
        .bytes([0x12])
        .build(),
      info: enhanced('h264', 'avc1'),
    },
    {
      name: 'a command frame carries no FourCC and no media',
      payload: Buffer.from([ex(COMMAND, CODED_FRAMES), 0x00]),
      info: { ...base, codec: 'unknown', enhanced: true },
    },
  ];

  for (const fixture of FIXTURES) {
    it(fixture.name, () => {
      expect(parseVideoTag(fixture.payload)).toEqual(fixture.info);
    });
  }

  it('every cut into the header raises FLV_BAD_TAG', () => {
    badTag(Buffer.from([ex(KEY, SEQUENCE_START)]));
    badTag(Buffer.from([ex(KEY, SEQUENCE_START), 0x68, 0x76, 0x63]));
    badTag(Buffer.from([ex(KEY, MOD_EX)]));
    badTag(Buffer.from([ex(KEY, MOD_EX), 2, 0, 0]));
    badTag(Buffer.from([ex(KEY, MOD_EX), 0xff, 0x01]));
    badTag(Buffer.from([ex(KEY, MULTITRACK)]));
    badTag(Buffer.from([ex(KEY, MULTITRACK), 0x00, 0x61, 0x76, 0x30, 0x31]));
    badTag(Buffer.from([ex(KEY, MULTITRACK), 0x10, 0x61, 0x76, 0x30, 0x31, 0x00, 0x00]));
  });

  it('raises FLV_BAD_TAG for reserved values and inconsistent multitrack sizes', () => {
    badTag(tag(ex(KEY, 8), 'hvc1'));
    badTag(tag(ex(KEY, 15), 'hvc1'));
    badTag(new BufferBuilder().u8(ex(KEY, MULTITRACK)).u8((3 << 4) | 1).utf8('hvc1').u8(0).build());
    badTag(new BufferBuilder().u8(ex(KEY, MULTITRACK)).u8((0 << 4) | MULTITRACK).utf8('hvc1').u8(0).build());
    badTag(new BufferBuilder().u8(ex(KEY, MULTITRACK)).u8((1 << 4) | 1).utf8('hvc1').u8(0).u24be(10).bytes([1, 2]).build());
  });

  it('fuzz: random and mutated payloads only ever return or raise ProtocolError', () => {
    const random = seededRandom(0x71de0);
    const seeds = FIXTURES.map((f) => f.payload);
    for (let i = 0; i < 20_000; i++) {
      let input: Buffer;
      if (i % 2 === 0) {
        input = randomBytes(random, Math.floor(random() * 24));
      } else {
        const seed = seeds[i % seeds.length]!;
        input = Buffer.from(seed.subarray(0, Math.floor(random() * (seed.length + 1))));
        if (input.length > 0) input[Math.floor(random() * input.length)] = Math.floor(random() * 256);
      }
      try {
        const info = parseVideoTag(input);
        if (info.sequenceHeader) expect(info.config).toBeInstanceOf(Buffer);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        expect(error.code).toBe('FLV_BAD_TAG');
      }
    }
  });
});
