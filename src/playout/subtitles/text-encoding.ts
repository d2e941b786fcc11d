/**
 * The character encoding of a text subtitle file, as people have them: UTF-8 (with or without a byte order mark),
 * UTF-16 with a BOM, GBK/GB18030 (mainland Chinese), Big5 (Taiwan, Hong Kong), and Windows-1252 for Western files.
 * libass wants UTF-8, so anything else is decoded here and written out again. Pure: bytes in, text out.
 */

/** The encodings detection chooses between; `encoding:` may name any label the WHATWG Encoding Standard knows. */
export type DetectedEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030' | 'big5' | 'windows-1252';

export interface DecodedText {
  text: string;
  /** The encoding used: detected, or the one the playlist named (normalised to its canonical name). */
  encoding: string;
  /** Whether the file started with a byte order mark. */
  bom: boolean;
}

/**
 * Frequent Chinese characters in both their simplified and traditional forms. A Chinese file decoded with the right
 * encoding is full of them; decoded with the wrong one of GB18030 and Big5, it gives rare characters instead.
 */
const FREQUENT_HAN = new Set(
  '的一是不了人我在有他这這中大来來上国國个個到说說们們为為子和你地出道也时時年得就那要下以生会會自着著去之过過家学學对對可她里裡后後小么麼心多天而能好都然没沒日于於起还還发發成事只作当當想看文无無开開手十用主行方又如前所本见見经經头頭面公同三已老从從动動两兩长長知民样樣现現分将將外但身些与與高意进進把法此实實回二理美点點月明其种種声聲全工己话話儿兒者向情部正名定女问問力机機给給等几幾很业業最间間新什打便位因重被走电電四第门門相次东東政海口使教西再平真听聽世气氣信北少关關并並内內加化由却卻代军軍产產入先山五太水万萬市眼体體别別处處总總才场場师師书書比住员員九笑性通目华華报報立马馬命张張活难難神数數件安表原车車白应應路期叫死常提感金何更反合放做系计計或司利受光王果亲親界及今京务務制解各任至清物台象记記边邊共风風战戰干接它许許八特觉覺望直服毛林题題建南度统統色字请請交爱愛让讓认認算论論百吃义義科怎元社术術结結六功指思非流每青管夫连連远遠资資队隊跟带帶花快条條院变變联聯言权權往展该該领領传傳近留红紅治决決周保达達办辦运運武半候七必城父强步完革深区區即求品士转轉量空甚众眾技轻輕程告江语語英基派满滿式李息写寫呢识識极極令黄黃德收脸臉钱錢党黨倒未持音注吗嗎啊吧',
);

const BOMS: readonly { bytes: readonly number[]; encoding: DetectedEncoding }[] = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

/** The canonical name of an encoding label (`GBK` → `gbk`, `cp936` → `gbk`), or undefined when it is not one. */
export function encodingName(label: string): string | undefined {
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    return undefined;
  }
}

/**
 * Decodes subtitle bytes: in `encoding` when given (a BOM still wins, as players do), else in the detected encoding.
 * A byte order mark is dropped from the text.
 */
export function decodeSubtitleText(bytes: Uint8Array, encoding?: string): DecodedText {
  for (const bom of BOMS) {
    if (bom.bytes.every((byte, i) => bytes[i] === byte)) {
      return { text: new TextDecoder(bom.encoding).decode(bytes.subarray(bom.bytes.length)), encoding: bom.encoding, bom: true };
    }
  }
  if (encoding !== undefined) {
    const name = encodingName(encoding);
    if (name === undefined) throw new RangeError(`unknown text encoding '${encoding}'`);
    return { text: new TextDecoder(name).decode(bytes), encoding: name, bom: false };
  }
  const utf8 = strictDecode(bytes, 'utf-8');
  if (utf8 !== undefined) return { text: utf8, encoding: 'utf-8', bom: false };
  const candidates = (['gb18030', 'big5'] as const).flatMap((name) => {
    const text = strictDecode(bytes, name);
    return text === undefined ? [] : [{ name, text, score: hanScore(text) }];
  });
  // Both may decode without an error (their byte ranges overlap); the one that reads as common Chinese wins, and
  // GB18030 (far more files) on a tie. Neither: a Western file in Windows-1252, which decodes any byte.
  const best = candidates.sort((a, b) => b.score - a.score)[0];
  if (best !== undefined && best.score > 0) return { text: best.text, encoding: best.name, bom: false };
  return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252', bom: false };
}

function strictDecode(bytes: Uint8Array, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** How many of the text's characters are frequent Chinese ones, minus the replacement characters. */
function hanScore(text: string): number {
  let score = 0;
  for (const ch of text) {
    if (FREQUENT_HAN.has(ch)) score++;
    else if (ch === '\ufffd') score -= 4;
  }
  return score;
}

/** Whether text holds characters that need a CJK font: Han, kana, Hangul, CJK punctuation and fullwidth forms. */
export function hasCjk(text: string): boolean {
  return /[\u2e80-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff00-\uffef]|[\u{20000}-\u{3134f}]/u.test(text);
}
