import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../../src/errors.js';
import { parseAudioTag, type AudioTagInfo } from '../../../../src/protocol/flv/audio-tag.js';
import { BufferBuilder, randomBytes, seededRandom } from '../../../helpers/buffer-builder.js';

/** ffmpeg native AAC AudioSpecificConfigs (see aac-config.test.ts). */
const ASC_44100_STEREO = Buffer.from('121056e500', 'hex');
const ASC_48000_MONO = Buffer.from('118856e500', 'hex');

/** RFC 7845 5.1 identification header: 'OpusHead', version 1, 2 channels, pre-skip 312, 48 kHz input, gain 0, family 0. */
const OPUS_HEAD = new BufferBuilder().utf8('OpusHead').u8(1).u8(2).bytes([0x38, 0x01]).u32le(48000).u16be(0).u8(0).build();

/** FLAC STREAMINFO body: block sizes 4096, frame sizes unknown, 44100 Hz (UB[20]), 6 channels (UB[3] + 1), 16 bits. */
function streamInfo(): Buffer {
  const b = Buffer.alloc(34);
  b.writeUInt16BE(4096, 0);
  b.writeUInt16BE(4096, 2);
  // bytes 10-12: sample rate (20 bits), channels - 1 (3 bits), bits per sample - 1 (first bit of 5)
  const packed = 44100 * 2 ** 4 + (6 - 1) * 2 + ((16 - 1) >> 4);
  b[10] = Math.floor(packed / 0x10000) & 0xff;
  b[11] = (packed >> 8) & 0xff;
  b[12] = packed & 0xff;
  return b;
}

const base: AudioTagInfo = { codec: 'aac', enhanced: false, sequenceHeader: false };

function badTag(payload: Buffer): void {
  let caught: unknown;
  try {
    parseAudioTag(payload);
  } catch (error) {
    caught = error;
  }
  expect(caught, payload.toString('hex')).toBeInstanceOf(ProtocolError);
  expect((caught as ProtocolError).code).toBe('FLV_BAD_TAG');
}

/** E-RTMP v2 ExAudioTagHeader first byte: SoundFormat 9 (ExHeader) | AudioPacketType (UB[4]). */
const ex = (packetType: number) => 0x90 | packetType;
const SEQUENCE_START = 0;
const CODED_FRAMES = 1;
const SEQUENCE_END = 2;
const MULTICHANNEL_CONFIG = 4;
const MULTITRACK = 5;
const MOD_EX = 7;

describe('parseAudioTag: legacy FLV audio tags (FLV v10.1 E.4.2)', () => {
  it('AAC sequence header: the AudioSpecificConfig decides rate and channels, not the fixed flags', () => {
    const stereo = parseAudioTag(new BufferBuilder().u8(0xaf).u8(0).bytes(ASC_44100_STEREO).build());
    expect(stereo).toEqual({ ...base, sequenceHeader: true, config: ASC_44100_STEREO, sampleRate: 44100, channels: 2 });
    const mono = parseAudioTag(new BufferBuilder().u8(0xaf).u8(0).bytes(ASC_48000_MONO).build());
    expect(mono).toEqual({ ...base, sequenceHeader: true, config: ASC_48000_MONO, sampleRate: 48000, channels: 1 });
  });

  it('AAC raw frames leave rate and channels to the sequence header', () => {
    expect(parseAudioTag(Buffer.from([0xaf, 0x01, 0x21, 0x10]))).toEqual(base);
  });

  it('a malformed AudioSpecificConfig leaves rate and channels undefined without failing the tag', () => {
    expect(parseAudioTag(Buffer.from([0xaf, 0x00, 0x16]))).toEqual({
      ...base,
      sequenceHeader: true,
      config: Buffer.from([0x16]),
    });
  });

  it('other formats take rate and channels from the flags', () => {
    const legacy = (first: number) => {
      const { codec, sampleRate, channels } = parseAudioTag(Buffer.from([first, 0xff, 0xfb]));
      return { codec, sampleRate, channels };
    };
    expect(legacy(0x2f)).toEqual({ codec: 'mp3', sampleRate: 44100, channels: 2 });
    expect(legacy(0x2a)).toEqual({ codec: 'mp3', sampleRate: 22050, channels: 1 });
    expect(legacy(0x36)).toEqual({ codec: 'pcm', sampleRate: 11025, channels: 1 });
    expect(legacy(0x03)).toEqual({ codec: 'pcm', sampleRate: 5512, channels: 2 });
    expect(legacy(0x6d)).toEqual({ codec: 'nellymoser', sampleRate: 44100, channels: 2 });
    expect(legacy(0x1e)).toEqual({ codec: 'unknown', sampleRate: 44100, channels: 1 });
    expect(legacy(0xc2)).toEqual({ codec: 'unknown', sampleRate: 5512, channels: 1 });
    expect(legacy(0xf2)).toEqual({ codec: 'unknown', sampleRate: 5512, channels: 1 });
  });

  it('formats whose rate is fixed ignore the rate flags', () => {
    const legacy = (first: number) => {
      const { codec, sampleRate, channels } = parseAudioTag(Buffer.from([first]));
      return { codec, sampleRate, channels };
    };
    expect(legacy(0x42)).toEqual({ codec: 'nellymoser', sampleRate: 16000, channels: 1 });
    expect(legacy(0x52)).toEqual({ codec: 'nellymoser', sampleRate: 8000, channels: 1 });
    expect(legacy(0x72)).toEqual({ codec: 'g711', sampleRate: 8000, channels: 1 });
    expect(legacy(0x82)).toEqual({ codec: 'g711', sampleRate: 8000, channels: 1 });
    expect(legacy(0xb2)).toEqual({ codec: 'speex', sampleRate: 16000, channels: 1 });
    expect(legacy(0xe3)).toEqual({ codec: 'mp3', sampleRate: 8000, channels: 2 });
  });

  it('raises FLV_BAD_TAG when empty, truncated or with an unknown AACPacketType', () => {
    badTag(Buffer.alloc(0));
    badTag(Buffer.from([0xaf]));
    badTag(Buffer.from([0xaf, 0x02]));
  });
});

describe('parseAudioTag: enhanced RTMP audio tags (E-RTMP v2 ExAudioTagHeader)', () => {
  const enhanced = (codec: AudioTagInfo['codec'], fourCc: string, more: Partial<AudioTagInfo> = {}): AudioTagInfo => ({
    codec,
    fourCc,
    enhanced: true,
    sequenceHeader: false,
    ...more,
  });
  const tag = (first: number, fourCc: string, body: Buffer | number[] = []) =>
    new BufferBuilder().u8(first).utf8(fourCc).bytes(body).build();

  const FIXTURES: { name: string; payload: Buffer; info: AudioTagInfo }[] = [
    {
      name: 'mp4a sequence start carries an AudioSpecificConfig',
      payload: tag(ex(SEQUENCE_START), 'mp4a', ASC_48000_MONO),
      info: enhanced('aac', 'mp4a', { sequenceHeader: true, config: ASC_48000_MONO, sampleRate: 48000, channels: 1 }),
    },
    { name: 'mp4a coded frames', payload: tag(ex(CODED_FRAMES), 'mp4a', [0x21, 0x10]), info: enhanced('aac', 'mp4a') },
    {
      name: 'Opus sequence start carries the OpusHead',
      payload: tag(ex(SEQUENCE_START), 'Opus', OPUS_HEAD),
      info: enhanced('opus', 'Opus', { sequenceHeader: true, config: OPUS_HEAD, sampleRate: 48000, channels: 2 }),
    },
    {
      name: 'Opus sequence start without a valid OpusHead',
      payload: tag(ex(SEQUENCE_START), 'Opus', [1, 2, 3]),
      info: enhanced('opus', 'Opus', { sequenceHeader: true, config: Buffer.from([1, 2, 3]) }),
    },
    { name: 'Opus coded frames', payload: tag(ex(CODED_FRAMES), 'Opus', [0xfc]), info: enhanced('opus', 'Opus') },
    {
      name: 'fLaC sequence start with a bare STREAMINFO',
      payload: tag(ex(SEQUENCE_START), 'fLaC', streamInfo()),
      info: enhanced('flac', 'fLaC', { sequenceHeader: true, config: streamInfo(), sampleRate: 44100, channels: 6 }),
    },
    {
      name: "fLaC sequence start with the 'fLaC' marker and block header",
      payload: tag(ex(SEQUENCE_START), 'fLaC', Buffer.concat([Buffer.from('fLaC\x80\x00\x00\x22', 'latin1'), streamInfo()])),
      info: enhanced('flac', 'fLaC', {
        sequenceHeader: true,
        config: Buffer.concat([Buffer.from('fLaC\x80\x00\x00\x22', 'latin1'), streamInfo()]),
        sampleRate: 44100,
        channels: 6,
      }),
    },
    { name: 'ac-3 coded frames', payload: tag(ex(CODED_FRAMES), 'ac-3', [0x0b, 0x77]), info: enhanced('ac3', 'ac-3') },
    { name: 'ec-3 coded frames', payload: tag(ex(CODED_FRAMES), 'ec-3', [0x0b, 0x77]), info: enhanced('eac3', 'ec-3') },
    { name: '.mp3 coded frames', payload: tag(ex(CODED_FRAMES), '.mp3', [0xff, 0xfb]), info: enhanced('mp3', '.mp3') },
    { name: 'sequence end', payload: tag(ex(SEQUENCE_END), 'Opus'), info: enhanced('opus', 'Opus') },
    {
      name: 'MultichannelConfig gives the channel count',
      payload: tag(ex(MULTICHANNEL_CONFIG), 'Opus', [1, 6, 0, 0, 0, 0x3f]),
      info: enhanced('opus', 'Opus', { channels: 6 }),
    },
    {
      name: 'an unknown FourCC keeps its name',
      payload: tag(ex(CODED_FRAMES), 'abcd', [1]),
      info: enhanced('unknown', 'abcd'),
    },
    {
      name: 'ModEx before a sequence start',
      payload: new BufferBuilder()
        .u8(ex(MOD_EX))
        .u8(2)
        .u24be(1000)
        .u8((0 << 4) | SEQUENCE_START)
        .utf8('mp4a')
        .bytes(ASC_44100_STEREO)
        .build(),
      info: enhanced('aac', 'mp4a', { sequenceHeader: true, config: ASC_44100_STEREO, sampleRate: 44100, channels: 2 }),
    },
    {
      name: 'Multitrack, many tracks: the first track is described',
      payload: new BufferBuilder()
        .u8(ex(MULTITRACK))
        .u8((1 << 4) | SEQUENCE_START)
        .utf8('mp4a')
        .u8(0)
        .u24be(ASC_48000_MONO.length)
        .bytes(ASC_48000_MONO)
        .u8(1)
        .u24be(ASC_44100_STEREO.length)
        .bytes(ASC_44100_STEREO)
        .build(),
      info: enhanced('aac', 'mp4a', { sequenceHeader: true, config: ASC_48000_MONO, sampleRate: 48000, channels: 1 }),
    },
    {
      name: 'Multitrack, one track',
      payload: new BufferBuilder().u8(ex(MULTITRACK)).u8((0 << 4) | CODED_FRAMES).utf8('Opus').u8(0).bytes([0xfc]).build(),
      info: enhanced('opus', 'Opus'),
    },
  ];

  for (const fixture of FIXTURES) {
    it(fixture.name, () => {
      expect(parseAudioTag(fixture.payload)).toEqual(fixture.info);
    });
  }

  it('raises FLV_BAD_TAG for truncated headers and reserved packet types', () => {
    badTag(Buffer.from([ex(CODED_FRAMES)]));
    badTag(Buffer.from([ex(CODED_FRAMES), 0x4f, 0x70, 0x75]));
    badTag(Buffer.from([ex(MULTICHANNEL_CONFIG), 0x4f, 0x70, 0x75, 0x73, 0x01]));
    badTag(Buffer.from([ex(MOD_EX), 0x00]));
    badTag(Buffer.from([ex(MULTITRACK), 0x10, 0x4f, 0x70, 0x75, 0x73, 0x00, 0x00, 0x00, 0x09, 0x01]));
    for (const reserved of [3, 6, 8, 15]) badTag(tag(ex(reserved), 'Opus', [0, 0]));
  });

  it('fuzz: random and mutated payloads only ever return or raise ProtocolError', () => {
    const random = seededRandom(0xa0d10);
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
        parseAudioTag(input);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        expect(error.code).toBe('FLV_BAD_TAG');
      }
    }
  });
});
