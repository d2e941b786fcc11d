import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../../src/errors.js';
import { adtsConfigOf, adtsHeader } from '../../../../src/protocol/mpegts/adts.js';
import { avccToAnnexB, readAvcDecoderConfig } from '../../../../src/protocol/mpegts/avc-annexb.js';
import { crc32Mpeg } from '../../../../src/protocol/mpegts/crc32.js';
import { PID_AUDIO, PID_PMT, PID_VIDEO, STREAM_TYPE_ADTS_AAC, STREAM_TYPE_AVC } from '../../../../src/protocol/mpegts/psi.js';
import { ContinuityCounter, packetize, TS_PACKET_SIZE } from '../../../../src/protocol/mpegts/ts-packet.js';
import { TS_TIMESTAMP_DELAY, TsMuxer } from '../../../../src/protocol/mpegts/ts-muxer.js';
import { BufferBuilder, randomBytes, seededRandom } from '../../../helpers/buffer-builder.js';
import { crc32Reference, readTs } from '../../../helpers/ts-reader.js';

/** An AVCDecoderConfigurationRecord written by ffmpeg 5.1 / libx264 (1280x720 Constrained Baseline 3.1). */
const RECORD = Buffer.from('0142c01fffe100176742c01fda014016ec0440000003004000000f03c60ca801000468ce0fc8', 'hex');
const SPS = RECORD.subarray(8, 8 + 0x17);
const PPS = Buffer.from('68ce0fc8', 'hex');
/** AudioSpecificConfig of AAC LC, 44.1 kHz (index 4), stereo: 00010 0100 0010 000. */
const ASC_LC = Buffer.from([0x12, 0x10]);
const START = [0, 0, 0, 1];

function avcc(...units: Buffer[]): Buffer {
  const b = new BufferBuilder();
  for (const unit of units) b.u32be(unit.length).bytes(unit);
  return b.build();
}

describe('CRC-32/MPEG-2', () => {
  it('matches the bitwise reference, and the check value of "123456789"', () => {
    expect(crc32Mpeg(Buffer.from('123456789'))).toBe(0x0376e6e7);
    const random = seededRandom(11);
    for (let i = 0; i < 20; i++) {
      const data = randomBytes(random, 1 + Math.floor(random() * 300));
      expect(crc32Mpeg(data)).toBe(crc32Reference(data));
    }
  });
});

describe('packetize', () => {
  it('fills every packet to 188 bytes, for every payload length, with counters running on', () => {
    const cc = new ContinuityCounter();
    const counters = new Map<number, number>();
    for (let length = 0; length <= 600; length++) {
      const payload = Buffer.alloc(length, length & 0xff);
      const header = new BufferBuilder().u8(0).u8(0).u8(1).u8(0xe0).u16be(0).u8(0x80).u8(0).u8(0).build();
      const out = packetize(PID_VIDEO, cc, [header, payload], { pcr: length * 90, randomAccess: length % 2 === 0 });
      expect(out.length % TS_PACKET_SIZE).toBe(0);
      const read = readTs(out, { expectCounters: counters });
      expect(read.problems).toEqual([]);
      expect(read.pes).toHaveLength(1);
      expect(read.pes[0]?.payload.equals(payload)).toBe(true);
      expect(read.pes[0]?.pcr).toBe(length * 90);
      expect(read.pes[0]?.randomAccess).toBe(length % 2 === 0);
    }
  });

  it('uses the fewest packets: 184 payload bytes fit one packet without an adaptation field', () => {
    expect(packetize(PID_AUDIO, new ContinuityCounter(), [Buffer.alloc(184)]).length).toBe(188);
    expect(packetize(PID_AUDIO, new ContinuityCounter(), [Buffer.alloc(185)]).length).toBe(376);
    // The PCR's adaptation field (8 bytes) leaves 176 in the first packet.
    expect(packetize(PID_AUDIO, new ContinuityCounter(), [Buffer.alloc(176)], { pcr: 0 }).length).toBe(188);
    expect(packetize(PID_AUDIO, new ContinuityCounter(), [Buffer.alloc(177)], { pcr: 0 }).length).toBe(376);
  });
});

describe('AVC to Annex B', () => {
  const config = readAvcDecoderConfig(RECORD);

  it('reads the parameter sets and the codecs string from the record', () => {
    expect(config.nalLengthSize).toBe(4);
    expect(config.sps).toEqual([SPS]);
    expect(config.pps).toEqual([PPS]);
    expect(config.codecs).toBe('avc1.42c01f');
  });

  it('puts an AUD first and the SPS and PPS before an IDR slice', () => {
    const idr = Buffer.from([0x65, 0x88, 0x84, 0x00]);
    const sei = Buffer.from([0x06, 0x05, 0x01, 0x80]);
    const out = Buffer.concat(avccToAnnexB(avcc(sei, idr), config));
    expect(out).toEqual(Buffer.from([...START, 0x09, 0xf0, ...START, ...SPS, ...START, ...PPS, ...START, ...sei, ...START, ...idr]));
  });

  it('leaves a non-IDR frame alone, drops its own AUDs, keeps in-band parameter sets once', () => {
    const slice = Buffer.from([0x41, 0x9a, 0x02]);
    expect(Buffer.concat(avccToAnnexB(avcc(Buffer.from([0x09, 0x10]), slice), config))).toEqual(Buffer.from([...START, 0x09, 0xf0, ...START, ...slice]));
    const idr = Buffer.from([0x65, 0x88]);
    const inband = Buffer.concat(avccToAnnexB(avcc(SPS, PPS, idr), config));
    expect(inband).toEqual(Buffer.from([...START, 0x09, 0xf0, ...START, ...SPS, ...START, ...PPS, ...START, ...idr]));
  });

  it('reads 1- and 2-byte NAL lengths', () => {
    const two = Buffer.from(RECORD);
    two[4] = 0xfd; // lengthSizeMinusOne 1
    const slice = Buffer.from([0x41, 0x01]);
    const out = avccToAnnexB(Buffer.from([0, 2, ...slice]), readAvcDecoderConfig(two));
    expect(Buffer.concat(out)).toEqual(Buffer.from([...START, 0x09, 0xf0, ...START, ...slice]));
  });

  it('rejects truncated samples and records with a typed error', () => {
    expect(() => avccToAnnexB(Buffer.from([0, 0, 0, 9, 0x41]), config)).toThrow(ProtocolError);
    expect(() => avccToAnnexB(Buffer.from([0, 0]), config)).toThrow(/inside a NAL unit length/);
    expect(() => readAvcDecoderConfig(RECORD.subarray(0, 12))).toThrow(ProtocolError);
    const noPps = Buffer.concat([RECORD.subarray(0, 8 + 0x17), Buffer.from([0])]);
    expect(() => readAvcDecoderConfig(noPps)).toThrow(/no picture parameter set/);
  });
});

describe('ADTS', () => {
  it('writes the header of AAC LC 44.1 kHz stereo', () => {
    const config = adtsConfigOf(ASC_LC);
    expect(config).toEqual({ profile: 1, frequencyIndex: 4, channelConfiguration: 2 });
    // FFF1, profile 01, index 0100, private 0, channels 010, ..., frame length 7 + 100 = 107, fullness 7FF, 1 block.
    expect(adtsHeader(config, 100)).toEqual(Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x0d, 0x7f, 0xfc]));
  });

  it('carries explicit HE-AAC as its AAC LC core at the core rate', () => {
    // AOT 5 (SBR), core index 6 (24 kHz), 2 channels, extension index 3 (48 kHz), core AOT 2: 00101 0110 0010 0011 00010
    const asc = Buffer.from([0x2b, 0x11, 0x88, 0x00]);
    expect(adtsConfigOf(asc)).toEqual({ profile: 1, frequencyIndex: 6, channelConfiguration: 2 });
  });

  it('refuses what ADTS cannot express', () => {
    expect(() => adtsConfigOf(Buffer.from([0x10, 0x00]))).toThrow(/program_config_element/); // channel configuration 0
    expect(() => adtsConfigOf(Buffer.from([0x17, 0x80, 0x00, 0x00, 0x10]))).toThrow(/explicit sampling rate/);
    expect(() => adtsConfigOf(Buffer.from([0x12]))).toThrow(ProtocolError);
    expect(() => adtsHeader(adtsConfigOf(ASC_LC), 9000)).toThrow(/too long/);
  });
});

describe('TsMuxer', () => {
  const tracks = { video: readAvcDecoderConfig(RECORD), audio: adtsConfigOf(ASC_LC) };

  it('starts a segment with a PAT and a PMT listing H.264 and AAC, PCR on video', () => {
    const read = readTs(new TsMuxer(tracks).tables());
    expect(read.problems).toEqual([]);
    expect(read.pat?.programs).toEqual([{ number: 1, pmtPid: PID_PMT }]);
    expect(read.pmt).toEqual({ pcrPid: PID_VIDEO, version: 0, streams: [{ type: STREAM_TYPE_AVC, pid: PID_VIDEO }, { type: STREAM_TYPE_ADTS_AAC, pid: PID_AUDIO }] });
    const audioOnly = readTs(new TsMuxer({ audio: tracks.audio }, 3).tables());
    expect(audioOnly.pmt).toEqual({ pcrPid: PID_AUDIO, version: 3, streams: [{ type: STREAM_TYPE_ADTS_AAC, pid: PID_AUDIO }] });
  });

  it('stamps PTS and DTS at 90 kHz plus the delay, and the PCR at the DTS', () => {
    const muxer = new TsMuxer(tracks);
    const idr = avcc(Buffer.from([0x65, 0x88, 0x84]));
    const read = readTs(Buffer.concat([muxer.tables(), muxer.video(idr, 1000, 80, true), muxer.audio(Buffer.alloc(300, 7), 1010.5), muxer.video(avcc(Buffer.from([0x41, 1])), 1040, 0, false)]));
    expect(read.problems).toEqual([]);
    const [key, audio, next] = read.pes;
    expect(key).toMatchObject({ pid: PID_VIDEO, streamId: 0xe0, dts: 90_000 + TS_TIMESTAMP_DELAY, pts: 97_200 + TS_TIMESTAMP_DELAY, pcr: 90_000, randomAccess: true });
    expect(audio).toMatchObject({ pid: PID_AUDIO, streamId: 0xc0, pts: 90_945 + TS_TIMESTAMP_DELAY, dts: undefined, pcr: undefined });
    expect(audio?.payload.subarray(7)).toEqual(Buffer.alloc(300, 7));
    expect(audio?.payload.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xf1]));
    // Equal PTS and DTS: PTS only.
    expect(next).toMatchObject({ pts: 93_600 + TS_TIMESTAMP_DELAY, dts: undefined, randomAccess: false });
  });

  it('wraps timestamps at 33 bits (a show longer than 26.5 hours)', () => {
    const muxer = new TsMuxer({ audio: tracks.audio });
    const ms = (2 ** 33 + 900) / 90 - TS_TIMESTAMP_DELAY / 90;
    const read = readTs(muxer.audio(Buffer.alloc(10), ms));
    expect(read.pes[0]?.pts).toBe(900);
  });

  it('keeps continuity counters running across segments, per PID', () => {
    const muxer = new TsMuxer(tracks);
    const counters = new Map<number, number>();
    for (let segment = 0; segment < 5; segment++) {
      const parts = [muxer.tables()];
      for (let i = 0; i < 7; i++) parts.push(muxer.video(avcc(Buffer.alloc(500 + i * 97, 0x41)), i * 40, 0, i === 0), muxer.audio(Buffer.alloc(250), i * 23));
      expect(readTs(Buffer.concat(parts), { expectCounters: counters }).problems).toEqual([]);
    }
  });

  it('gives a frame too large for PES_packet_length the unbounded length 0', () => {
    const muxer = new TsMuxer(tracks);
    const big = readTs(muxer.video(avcc(Buffer.alloc(70_000, 0x41)), 0, 0, false));
    expect(big.problems).toEqual([]);
    expect(big.pes[0]?.declaredLength).toBe(0);
    expect(big.pes[0]?.payload.length).toBe(6 + 4 + 70_000); // AUD, start code, the NAL unit
  });
});
