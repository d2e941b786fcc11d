import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../../src/errors.js';
import { parseAacConfig } from '../../../../src/protocol/flv/aac-config.js';
import { randomBytes, seededRandom } from '../../../helpers/buffer-builder.js';
import { BitWriter } from './bit-writer.js';

/**
 * AudioSpecificConfigs from FLV sequence headers written by the system ffmpeg 5.1 native AAC encoder, e.g.
 * `ffmpeg -f lavfi -i sine=sample_rate=44100 -ac 2 -t 0.2 -c:a aac -f flv out.flv`. ffmpeg appends a
 * backward-compatible SBR sync extension (0x2b7) with sbrPresentFlag 0: still plain AAC LC.
 */
const REAL_CONFIGS = [
  { name: 'AAC LC 44100 Hz stereo', hex: '121056e500', info: { objectType: 2, sampleRate: 44100, channels: 2 } },
  { name: 'AAC LC 48000 Hz mono', hex: '118856e500', info: { objectType: 2, sampleRate: 48000, channels: 1 } },
  { name: 'AAC LC 48000 Hz 5.1', hex: '11b056e500', info: { objectType: 2, sampleRate: 48000, channels: 6 } },
];

/** samplingFrequencyIndex values used below (ISO/IEC 14496-3 Table 1.18). */
const SFI_48000 = 3;
const SFI_44100 = 4;
const SFI_24000 = 6;
const SFI_22050 = 7;

/** GASpecificConfig with frameLengthFlag, dependsOnCoreCoder and extensionFlag all 0. */
function gaBits(w: BitWriter): BitWriter {
  return w.u(1, 0).u(1, 0).u(1, 0);
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

describe('parseAacConfig with ffmpeg configs', () => {
  for (const fixture of REAL_CONFIGS) {
    it(fixture.name, () => {
      expect(parseAacConfig(Buffer.from(fixture.hex, 'hex'))).toEqual(fixture.info);
    });
    it(`${fixture.name}: the 2-byte form without the sync extension`, () => {
      expect(parseAacConfig(Buffer.from(fixture.hex.slice(0, 4), 'hex'))).toEqual(fixture.info);
    });
  }
});

describe('parseAacConfig with hand-built configs', () => {
  it('explicit HE-AAC (SBR): the output rate is the extension rate', () => {
    const w = new BitWriter().u(5, 5).u(4, SFI_24000).u(4, 2).u(4, SFI_48000).u(5, 2);
    expect(parseAacConfig(gaBits(w).align().build())).toEqual({ objectType: 5, sampleRate: 48000, channels: 2 });
  });

  it('explicit HE-AAC v2 (PS): a mono core plays as stereo', () => {
    const w = new BitWriter().u(5, 29).u(4, SFI_22050).u(4, 1).u(4, SFI_44100).u(5, 2);
    expect(parseAacConfig(gaBits(w).align().build())).toEqual({ objectType: 29, sampleRate: 44100, channels: 2 });
  });

  it('backward-compatible SBR and PS signalling after an AAC LC config', () => {
    const sbr = gaBits(new BitWriter().u(5, 2).u(4, SFI_24000).u(4, 2)).u(11, 0x2b7).u(5, 5).u(1, 1).u(4, SFI_48000);
    expect(parseAacConfig(sbr.align().build())).toEqual({ objectType: 5, sampleRate: 48000, channels: 2 });
    const ps = gaBits(new BitWriter().u(5, 2).u(4, SFI_22050).u(4, 1))
      .u(11, 0x2b7)
      .u(5, 5)
      .u(1, 1)
      .u(4, SFI_44100)
      .u(11, 0x548)
      .u(1, 1);
    expect(parseAacConfig(ps.align().build())).toEqual({ objectType: 29, sampleRate: 44100, channels: 2 });
  });

  it('an explicit 24-bit sampling frequency', () => {
    const w = gaBits(new BitWriter().u(5, 2).u(4, 15).u(24, 12345).u(4, 2));
    expect(parseAacConfig(w.align().build())).toEqual({ objectType: 2, sampleRate: 12345, channels: 2 });
  });

  it('an escaped audio object type (31 + 6 bits)', () => {
    const w = new BitWriter().u(5, 31).u(6, 10).u(4, SFI_48000).u(4, 2).u(8, 0);
    expect(parseAacConfig(w.build())).toEqual({ objectType: 42, sampleRate: 48000, channels: 2 });
  });

  it('channel configurations 7 and 11-14 (7.1, 6.1, 7.1, 22.2, 7.1 top)', () => {
    for (const [configuration, channels] of [[7, 8], [11, 7], [12, 8], [13, 24], [14, 8]] as const) {
      const w = gaBits(new BitWriter().u(5, 2).u(4, SFI_48000).u(4, configuration));
      expect(parseAacConfig(w.align().build()).channels).toBe(channels);
    }
  });

  it('channelConfiguration 0 takes the channel count from the program_config_element', () => {
    const w = gaBits(new BitWriter().u(5, 2).u(4, SFI_48000).u(4, 0));
    // element_instance_tag, object_type, sampling_frequency_index
    w.u(4, 0).u(2, 1).u(4, SFI_48000);
    // 2 front, 0 side, 1 back, 1 LFE, 1 assoc data, 1 coupling channel elements
    w.u(4, 2).u(4, 0).u(4, 1).u(2, 1).u(3, 1).u(4, 1);
    w.u(1, 1).u(4, 0).u(1, 0).u(1, 1).u(2, 0).u(1, 0); // mono mixdown, no stereo mixdown, matrix mixdown
    w.u(1, 0).u(4, 0).u(1, 1).u(4, 1); // front: SCE, CPE
    w.u(1, 1).u(4, 2); // back: CPE
    w.u(4, 0).u(4, 0).u(1, 0).u(4, 0); // LFE tag, assoc data tag, coupling element
    w.align().u(8, 3).u(24, 0x616263); // comment "abc"
    expect(parseAacConfig(w.build())).toEqual({ objectType: 2, sampleRate: 48000, channels: 6 });
  });

  it('channelConfiguration 0 without GASpecificConfig reports 0 channels', () => {
    const w = new BitWriter().u(5, 31).u(6, 7).u(4, SFI_48000).u(4, 0).u(8, 0); // AOT 39, ER AAC ELD
    expect(parseAacConfig(w.build())).toEqual({ objectType: 39, sampleRate: 48000, channels: 0 });
  });
});

describe('parseAacConfig malformed configs', () => {
  it('rejects empty and one-byte input', () => {
    expectBadTag(() => parseAacConfig(Buffer.alloc(0)));
    expectBadTag(() => parseAacConfig(Buffer.from([0x12])));
  });

  it('rejects reserved sampling frequency indexes and channel configurations', () => {
    expectBadTag(() => parseAacConfig(gaBits(new BitWriter().u(5, 2).u(4, 13).u(4, 2)).align().build()));
    expectBadTag(() => parseAacConfig(gaBits(new BitWriter().u(5, 2).u(4, 14).u(4, 2)).align().build()));
    for (const configuration of [8, 9, 10, 15]) {
      const w = gaBits(new BitWriter().u(5, 2).u(4, SFI_48000).u(4, configuration));
      expectBadTag(() => parseAacConfig(w.align().build()));
    }
  });

  it('rejects object type 0 and an explicit frequency of 0', () => {
    expectBadTag(() => parseAacConfig(gaBits(new BitWriter().u(5, 0).u(4, SFI_48000).u(4, 2)).align().build()));
    expectBadTag(() => parseAacConfig(gaBits(new BitWriter().u(5, 2).u(4, 15).u(24, 0).u(4, 2)).align().build()));
  });

  it('rejects a truncated program_config_element', () => {
    const w = gaBits(new BitWriter().u(5, 2).u(4, SFI_48000).u(4, 0)).u(4, 0).u(2, 1).u(4, SFI_48000).u(4, 2);
    expectBadTag(() => parseAacConfig(w.align().build()));
  });

  it('fuzz: random and mutated configs only ever return or raise ProtocolError', () => {
    const random = seededRandom(0xaac);
    const seeds = REAL_CONFIGS.map((c) => Buffer.from(c.hex, 'hex'));
    for (let i = 0; i < 20_000; i++) {
      let input: Buffer;
      if (i % 2 === 0) {
        input = randomBytes(random, Math.floor(random() * 24));
      } else {
        input = Buffer.from(seeds[i % seeds.length]!);
        input[Math.floor(random() * input.length)] = Math.floor(random() * 256);
      }
      try {
        const info = parseAacConfig(input);
        expect(info.sampleRate).toBeGreaterThan(0);
        expect(info.channels).toBeGreaterThanOrEqual(0);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        expect(error.code).toBe('FLV_BAD_TAG');
      }
    }
  });
});
