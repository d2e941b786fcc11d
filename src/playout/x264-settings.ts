/**
 * Reproducing another x264 encode's sequence headers. x264 writes its settings into the first access unit as an SEI
 * (user data unregistered, H.264 D.1.7): `x264 - core 164 r3095 ... - options: cabac=1 ref=3 deblock=1:0:0 ...`.
 * Encoding a slate with the settings that shape the SPS and PPS gives byte-identical headers when the x264 core is
 * the same; whether it did is checked by comparing the bytes (copy-headers.ts), never assumed.
 */

/** The SEI text x264 writes; its settings follow `options: ` up to the string's NUL. */
const X264_MARK = 'x264 - core ';
const OPTIONS_MARK = 'options: ';
/** How far into a frame the SEI may sit (it comes before the first slice). */
const SEI_SEARCH_BYTES = 8192;
/** The settings text is a few hundred bytes; a longer one is not x264's. */
const MAX_OPTIONS_CHARS = 4096;

/** The `key=value` settings of an x264 SEI in `frame` (an access unit), or undefined when there is none. */
export function readX264Settings(frame: Buffer): Map<string, string> | undefined {
  const window = frame.subarray(0, SEI_SEARCH_BYTES);
  const start = window.indexOf(X264_MARK, 0, 'latin1');
  if (start < 0) return undefined;
  const options = window.indexOf(OPTIONS_MARK, start, 'latin1');
  if (options < 0) return undefined;
  let end = window.indexOf(0, options);
  if (end < 0) end = window.length;
  const text = window.toString('latin1', options + OPTIONS_MARK.length, Math.min(end, options + OPTIONS_MARK.length + MAX_OPTIONS_CHARS));
  const settings = new Map<string, string>();
  for (const pair of text.trim().split(/\s+/)) {
    const eq = pair.indexOf('=');
    if (eq > 0) settings.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return settings.size > 0 ? settings : undefined;
}

export type X264Params = { ok: true; params: string } | { ok: false; reason: string };

const PYRAMID = ['none', 'strict', 'normal'];

/**
 * `-x264-params` that reproduce the SPS/PPS-shaping settings: entropy coder, reference frames, B-frames and their
 * pyramid, weighted prediction, 8x8 transform, quantiser matrices, constrained intra, keyframe interval, rate-control
 * mode (it sets pic_init_qp) and the HRD. The chroma QP offset is printed after x264's psy adjustment, so psy is
 * turned off and the printed value given as is. Values may not contain `:` (ffmpeg splits the list on it).
 */
export function x264ParamsFor(settings: ReadonlyMap<string, string>): X264Params {
  const get = (key: string) => settings.get(key);
  const num = (key: string) => Number(get(key));
  const params: string[] = [];
  const copy = (key: string, name = key.replace(/_/g, '-')) => {
    const value = get(key);
    if (value !== undefined && /^[\w.+-]+$/.test(value)) params.push(`${name}=${value}`);
  };
  if (get('interlaced') !== undefined && get('interlaced') !== '0') return { ok: false, reason: 'the items are interlaced' };
  if (get('cqm') !== undefined && get('cqm') !== '0' && get('cqm') !== '1') return { ok: false, reason: 'the items use custom quantiser matrices' };
  if (get('cqm') === '1') params.push('cqm=jvt');
  for (const key of ['cabac', 'ref', 'bframes', 'weightb', 'weightp', '8x8dct', 'constrained_intra', 'bluray_compat', 'keyint', 'keyint_min', 'open_gop']) {
    copy(key, key === 'keyint_min' ? 'min-keyint' : undefined);
  }
  const pyramid = PYRAMID[num('b_pyramid')];
  if (pyramid !== undefined) params.push(`b-pyramid=${pyramid}`);
  const deblock = /^([01]):(-?\d+):(-?\d+)$/.exec(get('deblock') ?? '');
  if (deblock) params.push(deblock[1] === '1' ? `deblock=${deblock[2]},${deblock[3]}` : 'no-deblock=1');
  params.push('psy=0');
  copy('chroma_qp_offset');
  switch (get('rc')) {
    case 'crf':
      copy('crf');
      break;
    case 'cqp':
      copy('qp');
      break;
    case 'abr':
    case 'cbr':
    case '2pass':
      copy('bitrate');
      break;
    default:
      return { ok: false, reason: `x264's rate control '${get('rc') ?? 'unknown'}' is not known here` };
  }
  if (get('nal_hrd') !== undefined && get('nal_hrd') !== 'none') {
    copy('nal_hrd');
    copy('vbv_maxrate');
    copy('vbv_bufsize');
  }
  return { ok: true, params: params.join(':') };
}
