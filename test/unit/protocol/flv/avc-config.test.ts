import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../../src/errors.js';
import { parseAvcConfig, parseAvcSps } from '../../../../src/protocol/flv/avc-config.js';
import { BufferBuilder, randomBytes, seededRandom } from '../../../helpers/buffer-builder.js';
import { BitWriter, escapeRbsp } from './bit-writer.js';

/**
 * AVCDecoderConfigurationRecords taken from FLV sequence headers written by the system ffmpeg 5.1 (libx264), e.g.
 * `ffmpeg -f lavfi -i testsrc2=size=1280x720:rate=30 -t 0.2 -c:v libx264 -preset ultrafast -f flv out.flv`.
 * Every SPS here contains emulation prevention bytes (00 00 03).
 */
const REAL_RECORDS = [
  {
    name: '1280x720 Constrained Baseline 3.1',
    hex: '0142c01fffe100176742c01fda014016ec0440000003004000000f03c60ca801000468ce0fc8',
    info: { profile: 66, level: 31, width: 1280, height: 720 },
  },
  {
    name: '1920x1080 Constrained Baseline 4.0 (cropped from 1088)',
    hex: '0142c028ffe100196742c028da01e0089f970110000003001000000303c0f1832a01000468ce0fc8',
    info: { profile: 66, level: 40, width: 1920, height: 1080 },
  },
  {
    name: '640x360 Constrained Baseline 3.0 (cropped from 368)',
    hex: '0142c01effe100196742c01eda0280bfe5c044000003000400000300f03c58ba8001000468ce0fc8',
    info: { profile: 66, level: 30, width: 640, height: 360 },
  },
  {
    name: '854x480 High 3.1 (cropped from 864 wide)',
    hex: '0164001fffe1001a6764001facd940d83de6f0110000030001000003003c0f18319601000668ebe3cb22c0fdf8f800',
    info: { profile: 100, level: 31, width: 854, height: 480 },
  },
  {
    name: '1920x1080 High 4.0',
    hex: '01640028ffe1001b67640028acd940780227e5c044000003000400000300f03c60c65801000568ef8fcc03fdf8f800',
    info: { profile: 100, level: 40, width: 1920, height: 1080 },
  },
  {
    name: '720x576 High 4:2:2 3.0',
    hex: '017a001effe10019677a001ebcb405a0936022000003000200000300641e2c5d4001000468ce0fc8fef8f800',
    info: { profile: 122, level: 30, width: 720, height: 576 },
  },
  {
    name: '1280x720 High 4:4:4 Predictive 3.1',
    hex: '01f4001fffe1001967f4001f9196805005bb0110000003001000000303c0f1832a01000568ce0f1920fff8f800',
    info: { profile: 244, level: 31, width: 1280, height: 720 },
  },
  {
    name: '720x480 Main 3.0 interlaced (frame_mbs_only_flag 0)',
    hex: '014d401effe10017674d401ef405a3db0110000003001000000303c1f142aa01000468de0fc8',
    info: { profile: 77, level: 30, width: 720, height: 480 },
  },
];

interface SpsFields {
  profile?: number;
  level?: number;
  chromaFormatIdc?: number;
  separateColourPlane?: boolean;
  scalingLists?: (number[] | undefined)[];
  pocType?: number;
  pocCycle?: number[];
  widthInMbs: number;
  heightInMapUnits: number;
  frameMbsOnly?: boolean;
  crop?: [number, number, number, number];
}

/** Writes seq_parameter_set_rbsp() (H.264 7.3.2.1.1) field by field, as an SPS NAL unit with its header byte. */
function buildSps(f: SpsFields): Buffer {
  const profile = f.profile ?? 100;
  const w = new BitWriter().u(8, profile).u(8, 0).u(8, f.level ?? 40).ue(0);
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
    const chroma = f.chromaFormatIdc ?? 1;
    w.ue(chroma);
    if (chroma === 3) w.flag(f.separateColourPlane ?? false);
    w.ue(0).ue(0).flag(0);
    w.flag(f.scalingLists !== undefined);
    for (const list of f.scalingLists ?? []) {
      w.flag(list !== undefined);
      for (const delta of list ?? []) w.se(delta);
    }
  }
  w.ue(0); // log2_max_frame_num_minus4
  const pocType = f.pocType ?? 0;
  w.ue(pocType);
  if (pocType === 0) w.ue(2);
  if (pocType === 1) {
    w.flag(0).se(-3).se(5).ue(f.pocCycle?.length ?? 0);
    for (const offset of f.pocCycle ?? []) w.se(offset);
  }
  w.ue(1).flag(0).ue(f.widthInMbs - 1).ue(f.heightInMapUnits - 1);
  const frameMbsOnly = f.frameMbsOnly ?? true;
  w.flag(frameMbsOnly);
  if (!frameMbsOnly) w.flag(1);
  w.flag(1); // direct_8x8_inference_flag
  w.flag(f.crop !== undefined);
  for (const c of f.crop ?? []) w.ue(c);
  w.flag(0).trailing(); // vui_parameters_present_flag
  return Buffer.concat([Buffer.from([0x67]), escapeRbsp(w.build())]);
}

/** Wraps one SPS in an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1.2) with one dummy PPS. */
function recordOf(sps: Buffer): Buffer {
  return new BufferBuilder()
    .u8(1)
    .u8(sps[1] as number)
    .u8(sps[2] as number)
    .u8(sps[3] as number)
    .u8(0xff)
    .u8(0xe1)
    .u16be(sps.length)
    .bytes(sps)
    .u8(1)
    .u16be(4)
    .bytes([0x68, 0xce, 0x3c, 0x80])
    .build();
}

function expectBadTag(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  expect((caught as ProtocolError).code).toBe('FLV_BAD_TAG');
}

/** A 4x4 list of 16 deltas and an 8x8 list of 64 that together exercise every branch of scaling_list(). */
const LIST_4X4 = [8, -3, 2, 0, 0, 1, -1, 5, 0, 0, 0, 2, -2, 0, 1, 0];
const LIST_8X8 = Array.from({ length: 64 }, (_, j) => (j % 7) - 3);
/** delta_scale making nextScale 0 at j = 0: useDefaultScalingMatrixFlag, the list ends after one value. */
const LIST_USE_DEFAULT = [-8];

describe('parseAvcConfig with ffmpeg/libx264 records', () => {
  for (const fixture of REAL_RECORDS) {
    it(fixture.name, () => {
      expect(parseAvcConfig(Buffer.from(fixture.hex, 'hex'))).toEqual(fixture.info);
    });
  }

  it('reads nothing past the first SPS: every cut before its end fails, every cut after it parses', () => {
    for (const fixture of REAL_RECORDS) {
      const record = Buffer.from(fixture.hex, 'hex');
      const spsEnd = 8 + record.readUInt16BE(6);
      for (let cut = 0; cut < record.length; cut++) {
        const prefix = record.subarray(0, cut);
        if (cut < spsEnd) expectBadTag(() => parseAvcConfig(prefix));
        else expect(parseAvcConfig(prefix)).toEqual(fixture.info);
      }
    }
  });
});

describe('parseAvcSps with hand-built SPS syntax', () => {
  it('High profile with scaling lists (4x4, 8x8 and use-default) and bottom cropping', () => {
    const sps = buildSps({
      level: 40,
      scalingLists: [LIST_4X4, LIST_USE_DEFAULT, undefined, undefined, LIST_4X4, undefined, LIST_8X8, undefined],
      widthInMbs: 120,
      heightInMapUnits: 68,
      crop: [0, 0, 0, 4],
    });
    expect(parseAvcSps(sps)).toEqual({ profile: 100, level: 40, width: 1920, height: 1080 });
    expect(parseAvcConfig(recordOf(sps))).toEqual({ profile: 100, level: 40, width: 1920, height: 1080 });
  });

  it('4:4:4 reads twelve scaling lists and crops in whole pixels', () => {
    const lists = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? (i < 6 ? LIST_4X4 : LIST_8X8) : undefined));
    const sps = buildSps({
      profile: 244,
      chromaFormatIdc: 3,
      scalingLists: lists,
      widthInMbs: 80,
      heightInMapUnits: 45,
      crop: [1, 2, 3, 4],
    });
    expect(parseAvcSps(sps)).toEqual({ profile: 244, level: 40, width: 1280 - 3, height: 720 - 7 });
  });

  it('4:4:4 with separate colour planes crops like monochrome (ChromaArrayType 0)', () => {
    const sps = buildSps({
      profile: 244,
      chromaFormatIdc: 3,
      separateColourPlane: true,
      widthInMbs: 80,
      heightInMapUnits: 45,
      crop: [1, 1, 1, 1],
    });
    expect(parseAvcSps(sps)).toEqual({ profile: 244, level: 40, width: 1278, height: 718 });
  });

  it('4:2:2 crops two pixels across and one down', () => {
    const sps = buildSps({ profile: 122, chromaFormatIdc: 2, widthInMbs: 45, heightInMapUnits: 36, crop: [1, 1, 2, 2] });
    expect(parseAvcSps(sps)).toEqual({ profile: 122, level: 40, width: 720 - 4, height: 576 - 4 });
  });

  it('monochrome (chroma_format_idc 0) crops one pixel per unit', () => {
    const sps = buildSps({ profile: 100, chromaFormatIdc: 0, widthInMbs: 40, heightInMapUnits: 30, crop: [0, 3, 0, 5] });
    expect(parseAvcSps(sps)).toEqual({ profile: 100, level: 40, width: 637, height: 475 });
  });

  it('field coding (frame_mbs_only_flag 0) doubles the map units and the vertical crop unit', () => {
    const sps = buildSps({ profile: 77, widthInMbs: 120, heightInMapUnits: 34, frameMbsOnly: false, crop: [0, 0, 0, 2] });
    expect(parseAvcSps(sps)).toEqual({ profile: 77, level: 40, width: 1920, height: 1088 - 8 });
  });

  it('pic_order_cnt_type 1 with a cycle of reference frame offsets', () => {
    const sps = buildSps({ profile: 66, pocType: 1, pocCycle: [1, -2, 300, -4000], widthInMbs: 20, heightInMapUnits: 15 });
    expect(parseAvcSps(sps)).toEqual({ profile: 66, level: 40, width: 320, height: 240 });
  });

  it('pic_order_cnt_type 2', () => {
    const sps = buildSps({ profile: 66, pocType: 2, widthInMbs: 20, heightInMapUnits: 15 });
    expect(parseAvcSps(sps)).toEqual({ profile: 66, level: 40, width: 320, height: 240 });
  });

  it('a frame cropped to nothing is malformed', () => {
    expectBadTag(() => parseAvcSps(buildSps({ profile: 66, widthInMbs: 1, heightInMapUnits: 1, crop: [4, 4, 0, 0] })));
    expectBadTag(() => parseAvcSps(buildSps({ profile: 66, widthInMbs: 1, heightInMapUnits: 1, crop: [0, 0, 9, 0] })));
  });

  it('out-of-range syntax elements are malformed', () => {
    expectBadTag(() => parseAvcSps(buildSps({ profile: 100, chromaFormatIdc: 4, widthInMbs: 1, heightInMapUnits: 1 })));
    expectBadTag(() => parseAvcSps(buildSps({ profile: 66, pocType: 3, widthInMbs: 1, heightInMapUnits: 1 })));
    expectBadTag(() => parseAvcSps(buildSps({ profile: 100, scalingLists: [[200]], widthInMbs: 1, heightInMapUnits: 1 })));
  });

  it('an Exp-Golomb code longer than 32 bits is malformed, not a huge number', () => {
    const w = new BitWriter().u(8, 66).u(8, 0).u(8, 30).u(40, 0).u(8, 0xff);
    expectBadTag(() => parseAvcSps(Buffer.concat([Buffer.from([0x67]), w.build()])));
  });

  it('every truncation of a hand-built SPS is malformed', () => {
    const lists = [LIST_4X4, undefined, undefined, undefined, undefined, undefined, LIST_8X8, undefined];
    const sps = buildSps({ scalingLists: lists, widthInMbs: 120, heightInMapUnits: 68, crop: [0, 0, 0, 4] });
    expect(parseAvcSps(sps)).toEqual({ profile: 100, level: 40, width: 1920, height: 1080 });
    // The last byte holds only the stop bit and padding, which the parser never reads.
    for (let cut = 0; cut < sps.length - 1; cut++) expectBadTag(() => parseAvcSps(sps.subarray(0, cut)));
  });
});

describe('parseAvcConfig malformed records', () => {
  const good = Buffer.from(REAL_RECORDS[0]!.hex, 'hex');

  it('rejects a configurationVersion other than 1', () => {
    const record = Buffer.from(good);
    record[0] = 0;
    expectBadTag(() => parseAvcConfig(record));
  });

  it('rejects a record without an SPS', () => {
    expectBadTag(() => parseAvcConfig(new BufferBuilder().u8(1).u8(66).u8(0).u8(31).u8(0xff).u8(0xe0).u8(0).u8(0).build()));
  });

  it('rejects an SPS length that runs past the record', () => {
    const record = Buffer.from(good);
    record.writeUInt16BE(record.length, 6);
    expectBadTag(() => parseAvcConfig(record));
  });

  it('rejects a first parameter set that is not an SPS', () => {
    const record = Buffer.from(good);
    record[8] = 0x68;
    expectBadTag(() => parseAvcConfig(record));
  });

  it('fuzz: random and mutated records only ever return or raise ProtocolError', () => {
    const random = seededRandom(0xa7c);
    const seeds = REAL_RECORDS.map((r) => Buffer.from(r.hex, 'hex'));
    for (let i = 0; i < 20_000; i++) {
      let input: Buffer;
      if (i % 4 === 0) {
        input = randomBytes(random, Math.floor(random() * 48));
        if (input.length > 0) input[0] = 1;
      } else {
        input = Buffer.from(seeds[i % seeds.length]!);
        const edits = 1 + Math.floor(random() * 4);
        for (let e = 0; e < edits; e++) {
          const at = 5 + Math.floor(random() * (input.length - 5));
          input[at] = Math.floor(random() * 256);
        }
      }
      try {
        const info = parseAvcConfig(input);
        expect(info.width).toBeGreaterThan(0);
        expect(info.height).toBeGreaterThan(0);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        expect(error.code).toBe('FLV_BAD_TAG');
      }
    }
  });
});
