import type { AttackResult, Outcome } from './attack.js';
import type { FuzzCase } from './fuzz-cases.js';

/** What a fuzz run did, case by case: the counts for the report and, for a stall, the cases started around it. */
export class FuzzLedger {
  cases = 0;
  bytesSent = 0;
  readonly outcomes: Record<Outcome, number> = { 'closed-by-server': 0, 'reset-by-client': 0, 'became-session': 0, 'held-open': 0, unjudged: 0, refused: 0 };
  readonly byKind: Record<string, number> = {};
  /** The slowest server close after the client's FIN or silence, in ms, and the case. */
  slowestCloseMs = 0;
  slowestCloseCase = '';
  /** When each case started (epoch ms, the steady viewer's clock). */
  private readonly starts: { at: number; c: FuzzCase }[] = [];

  started(c: FuzzCase, at: number): void {
    this.starts.push({ at, c });
  }

  record(c: FuzzCase, r: AttackResult): void {
    this.cases++;
    this.outcomes[r.outcome]++;
    this.byKind[c.kind] = (this.byKind[c.kind] ?? 0) + 1;
    this.bytesSent += r.bytesSent;
    if (r.closeMs !== undefined && r.outcome === 'closed-by-server' && r.closeMs > this.slowestCloseMs) {
      this.slowestCloseMs = r.closeMs;
      this.slowestCloseCase = `${describeCase(c)}: ${c.note.slice(0, 160)}`;
    }
  }

  /** The last `max` cases started from `beforeMs` before `from` until `to` (epoch ms), one line each. */
  startedAround(from: number, to: number, beforeMs: number, max: number): string[] {
    return this.starts
      .filter((s) => s.at >= from - beforeMs && s.at <= to)
      .slice(-max)
      .map((s) => `  ${((s.at - from) / 1000).toFixed(1)} s: ${describeCase(s.c)}: ${s.c.note.slice(0, 160)}`);
  }
}

/** "case 12 (rtmp-publish, linger, not reading)" */
export function describeCase(c: FuzzCase): string {
  return `case ${c.id} (${c.kind}, ${c.ending}${c.read ? '' : ', not reading'})`;
}
