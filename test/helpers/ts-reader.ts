/**
 * A small MPEG-2 transport stream reader for tests, written from ISO/IEC 13818-1 independently of the production
 * muxer: it checks packet framing, continuity counters and section CRCs, and reassembles PES packets.
 */

export interface TsPes {
  pid: number;
  streamId: number;
  pts: number | undefined;
  dts: number | undefined;
  /** PES_packet_length as written (0 = unbounded). */
  declaredLength: number;
  payload: Buffer;
  randomAccess: boolean;
  pcr: number | undefined;
}

export interface TsReadResult {
  packets: number;
  pat: { programs: { number: number; pmtPid: number }[] } | undefined;
  pmt: { pcrPid: number; version: number; streams: { type: number; pid: number }[] } | undefined;
  pes: TsPes[];
  problems: string[];
}

/** CRC-32/MPEG-2, bit by bit (no table), so it shares no code with the muxer. */
export function crc32Reference(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    for (let bit = 7; bit >= 0; bit--) {
      const top = (crc >>> 31) ^ ((byte >>> bit) & 1);
      crc = ((crc << 1) ^ (top ? 0x04c11db7 : 0)) >>> 0;
    }
  }
  return crc >>> 0;
}

function readTimestamp(b: Buffer, pos: number): number {
  const high = ((b[pos] as number) >> 1) & 0x07;
  const mid = (b.readUInt16BE(pos + 1) >> 1) & 0x7fff;
  const low = (b.readUInt16BE(pos + 3) >> 1) & 0x7fff;
  return high * 2 ** 30 + mid * 2 ** 15 + low;
}

export function readTs(data: Buffer, opts: { expectCounters?: Map<number, number> } = {}): TsReadResult {
  const result: TsReadResult = { packets: 0, pat: undefined, pmt: undefined, pes: [], problems: [] };
  if (data.length % 188 !== 0) result.problems.push(`length ${data.length} is not a multiple of 188`);
  const counters = opts.expectCounters ?? new Map<number, number>();
  const open = new Map<number, { chunks: Buffer[]; randomAccess: boolean; pcr: number | undefined }>();
  const finishPes = (pid: number): void => {
    const unit = open.get(pid);
    open.delete(pid);
    if (unit === undefined) return;
    const b = Buffer.concat(unit.chunks);
    if (b.readUIntBE(0, 3) !== 1) return void result.problems.push(`PID ${pid}: PES without start code`);
    const flags = b[7] as number;
    const headerLength = b[8] as number;
    const pes: TsPes = {
      pid,
      streamId: b[3] as number,
      declaredLength: b.readUInt16BE(4),
      pts: flags & 0x80 ? readTimestamp(b, 9) : undefined,
      dts: (flags & 0xc0) === 0xc0 ? readTimestamp(b, 14) : undefined,
      payload: b.subarray(9 + headerLength),
      randomAccess: unit.randomAccess,
      pcr: unit.pcr,
    };
    if (pes.declaredLength !== 0 && pes.declaredLength !== b.length - 6) result.problems.push(`PID ${pid}: PES_packet_length ${pes.declaredLength}, actual ${b.length - 6}`);
    result.pes.push(pes);
  };
  for (let pos = 0; pos + 188 <= data.length; pos += 188) {
    result.packets++;
    const p = data.subarray(pos, pos + 188);
    if (p[0] !== 0x47) result.problems.push(`packet ${result.packets}: sync byte ${p[0]}`);
    const pusi = ((p[1] as number) & 0x40) !== 0;
    const pid = p.readUInt16BE(1) & 0x1fff;
    const afc = ((p[3] as number) >> 4) & 0x03;
    const cc = (p[3] as number) & 0x0f;
    let offset = 4;
    let randomAccess = false;
    let pcr: number | undefined;
    if (afc === 2 || afc === 3) {
      const afLength = p[4] as number;
      if (afLength > 183) result.problems.push(`packet ${result.packets}: adaptation_field_length ${afLength}`);
      if (afLength > 0) {
        const flags = p[5] as number;
        randomAccess = (flags & 0x40) !== 0;
        if (flags & 0x10) pcr = p.readUInt32BE(6) * 2 + ((p[10] as number) >> 7);
        for (let i = 6 + (flags & 0x10 ? 6 : 0); i < 5 + afLength; i++) if (p[i] !== 0xff) result.problems.push(`packet ${result.packets}: stuffing byte ${p[i]}`);
      }
      offset = 5 + afLength;
    }
    if (afc === 1 || afc === 3) {
      const expected = counters.get(pid);
      if (expected !== undefined && cc !== expected) result.problems.push(`PID ${pid}: continuity_counter ${cc}, expected ${expected}`);
      counters.set(pid, (cc + 1) & 0x0f);
    }
    const payload = p.subarray(offset);
    if (pid === 0 || (result.pat !== undefined && result.pat.programs.some((prog) => prog.pmtPid === pid))) {
      readSection(pid, payload, result);
      continue;
    }
    if (pusi) {
      finishPes(pid);
      open.set(pid, { chunks: [payload], randomAccess, pcr });
    } else {
      open.get(pid)?.chunks.push(payload);
    }
  }
  for (const pid of [...open.keys()]) finishPes(pid);
  return result;
}

function readSection(pid: number, payload: Buffer, result: TsReadResult): void {
  const pointer = payload[0] as number;
  const s = payload.subarray(1 + pointer);
  const length = s.readUInt16BE(1) & 0x0fff;
  const section = s.subarray(0, 3 + length);
  if (crc32Reference(section) !== 0) result.problems.push(`PID ${pid}: section CRC_32 does not check`);
  if (s[0] === 0x00) {
    const programs = [];
    for (let i = 8; i < 3 + length - 4; i += 4) programs.push({ number: s.readUInt16BE(i), pmtPid: s.readUInt16BE(i + 2) & 0x1fff });
    result.pat = { programs };
  } else if (s[0] === 0x02) {
    const infoLength = s.readUInt16BE(10) & 0x0fff;
    const streams = [];
    for (let i = 12 + infoLength; i < 3 + length - 4; ) {
      streams.push({ type: s[i] as number, pid: s.readUInt16BE(i + 1) & 0x1fff });
      i += 5 + (s.readUInt16BE(i + 3) & 0x0fff);
    }
    result.pmt = { pcrPid: s.readUInt16BE(8) & 0x1fff, version: ((s[5] as number) >> 1) & 0x1f, streams };
  }
}
