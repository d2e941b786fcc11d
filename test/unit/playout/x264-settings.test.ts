import { describe, expect, it } from 'vitest';
import { readX264Settings, x264ParamsFor } from '../../../src/playout/x264-settings.js';

/** The SEI text of a `-preset ultrafast` encode by ffmpeg 5.1's libx264 (core 164), as found in its first frame. */
const ULTRAFAST =
  'x264 - core 164 r3095 baee400 - H.264/MPEG-4 AVC codec - Copyleft 2003-2022 - http://www.videolan.org/x264.html - options: cabac=0 ref=1 deblock=0:0:0 analyse=0:0 me=dia subme=0 psy=1 psy_rd=1.00:0.00 mixed_ref=0 me_range=16 chroma_me=1 trellis=0 8x8dct=0 cqm=0 deadzone=21,11 fast_pskip=1 chroma_qp_offset=0 threads=3 lookahead_threads=1 sliced_threads=0 nr=0 decimate=1 interlaced=0 bluray_compat=0 constrained_intra=0 bframes=0 weightp=0 keyint=25 keyint_min=13 scenecut=0 intra_refresh=0 rc_lookahead=0 rc=cbr mbtree=0 bitrate=800 ratetol=1.0 qcomp=0.60 qpmin=0 qpmax=69 qpstep=4 vbv_maxrate=800 vbv_bufsize=1600 nal_hrd=none filler=0 ip_ratio=1.40 aq=0';
/** A `-preset medium -crf 20` encode: B-frames with a pyramid, 8x8 transform, weighted prediction, psy. */
const MEDIUM =
  'x264 - core 164 - options: cabac=1 ref=3 deblock=1:0:0 analyse=0x3:0x113 me=hex subme=7 psy=1 psy_rd=1.00:0.00 mixed_ref=1 me_range=16 chroma_me=1 trellis=1 8x8dct=1 cqm=0 deadzone=21,11 fast_pskip=1 chroma_qp_offset=-2 threads=6 interlaced=0 bluray_compat=0 constrained_intra=0 bframes=3 b_pyramid=2 b_adapt=1 b_bias=0 direct=1 weightb=1 open_gop=0 weightp=2 keyint=250 keyint_min=25 scenecut=40 rc=crf mbtree=1 crf=20.0 qcomp=0.60 nal_hrd=none aq=1:1.00';

function frameWith(text: string): Buffer {
  // An SEI NAL (type 6) with user data unregistered (payload type 5): 16-byte UUID, then the text and its NUL.
  return Buffer.concat([Buffer.from([0, 0, 2, 0x40, 0x06, 0x05, 0xff, 0x40]), Buffer.alloc(16, 0xdc), Buffer.from(text, 'latin1'), Buffer.from([0, 0x80, 0, 0, 0, 9, 0x65, 0x88])]);
}

describe('x264 settings', () => {
  it('reads the settings x264 writes into its first frame', () => {
    const settings = readX264Settings(frameWith(ULTRAFAST));
    expect(settings?.get('cabac')).toBe('0');
    expect(settings?.get('deblock')).toBe('0:0:0');
    expect(settings?.get('aq')).toBe('0');
    expect(readX264Settings(Buffer.from('no SEI here'))).toBeUndefined();
  });

  it('turns them into -x264-params for what shapes the SPS and PPS, without a colon in any value', () => {
    const fast = x264ParamsFor(readX264Settings(frameWith(ULTRAFAST))!);
    expect(fast).toEqual({ ok: true, params: 'cabac=0:ref=1:bframes=0:weightp=0:8x8dct=0:constrained-intra=0:bluray-compat=0:keyint=25:min-keyint=13:no-deblock=1:psy=0:chroma-qp-offset=0:bitrate=800' });
    const medium = x264ParamsFor(readX264Settings(frameWith(MEDIUM))!);
    expect(medium.ok && medium.params).toBe(
      'cabac=1:ref=3:bframes=3:weightb=1:weightp=2:8x8dct=1:constrained-intra=0:bluray-compat=0:keyint=250:min-keyint=25:open-gop=0:b-pyramid=normal:deblock=0,0:psy=0:chroma-qp-offset=-2:crf=20.0',
    );
  });

  it('says why when the headers cannot be repeated', () => {
    const settings = readX264Settings(frameWith(MEDIUM))!;
    expect(x264ParamsFor(new Map([...settings, ['interlaced', 'tff']]))).toEqual({ ok: false, reason: 'the items are interlaced' });
    expect(x264ParamsFor(new Map([...settings, ['cqm', '2']]))).toMatchObject({ ok: false });
    expect(x264ParamsFor(new Map([...settings, ['rc', 'mystery']]))).toMatchObject({ ok: false });
  });
});
