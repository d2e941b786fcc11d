import { describe, expect, it } from 'vitest';
import { PEER_LOG_BURST, PEER_LOG_LINES_PER_SECOND, limitPeerLines } from '../../../src/util/log-limiter.js';
import { LOG_LINE_MAX_CHARS } from '../../../src/util/safe-text.js';
import type { LogFields, LogLevel } from '../../../src/util/logger.js';

function collect() {
  const lines: { level: LogLevel; message: string; fields?: LogFields }[] = [];
  return { lines, logger: { log: (level: LogLevel, message: string, fields?: LogFields) => lines.push({ level, message, fields }) } };
}

describe('limitPeerLines', () => {
  it('passes a burst of peer lines, then drops them and later says how many', () => {
    let t = 0;
    const { lines, logger } = collect();
    const limited = limitPeerLines(logger, () => t);
    for (let i = 0; i < PEER_LOG_BURST + 500; i++) limited.log('warn', `closed ${i}`, { peer: '1.2.3.4:5' });
    expect(lines).toHaveLength(PEER_LOG_BURST);
    t = 10_000;
    limited.log('info', 'next', { peer: '1.2.3.4:6' });
    const report = lines.find((l) => l.fields?.event === 'log-suppressed');
    expect(report?.message).toMatch(/^500 log lines about connections were left out/);
    expect(lines.at(-1)?.message).toBe('next');
  });

  it('refills at the set rate', () => {
    let t = 0;
    const { lines, logger } = collect();
    const limited = limitPeerLines(logger, () => t);
    for (let i = 0; i < PEER_LOG_BURST; i++) limited.log('info', 'x', { peer: 'p' });
    t = 1_000;
    for (let i = 0; i < 100; i++) limited.log('info', 'y', { peer: 'p' });
    expect(lines.filter((l) => l.message === 'y')).toHaveLength(PEER_LOG_LINES_PER_SECOND);
  });

  it('never limits lines about the server itself, nor errors, and cuts every line to a bounded length', () => {
    const { lines, logger } = collect();
    const limited = limitPeerLines(logger, () => 0);
    for (let i = 0; i < PEER_LOG_BURST * 2; i++) limited.log('info', 'live/movie: live');
    for (let i = 0; i < PEER_LOG_BURST * 2; i++) limited.log('error', 'bug', { peer: 'p' });
    limited.log('info', 'z'.repeat(100_000));
    expect(lines).toHaveLength(PEER_LOG_BURST * 4 + 1);
    expect(lines.at(-1)?.message.length).toBeLessThan(LOG_LINE_MAX_CHARS + 40);
  });

  it('lets debug lines through while there is room, without spending it', () => {
    const { lines, logger } = collect();
    const limited = limitPeerLines(logger, () => 0);
    for (let i = 0; i < 1000; i++) limited.log('debug', 'd', { peer: 'p' });
    for (let i = 0; i < PEER_LOG_BURST; i++) limited.log('info', 'i', { peer: 'p' });
    expect(lines.filter((l) => l.message === 'i')).toHaveLength(PEER_LOG_BURST);
    limited.log('debug', 'late', { peer: 'p' });
    expect(lines.at(-1)?.message).toBe('i');
  });
});
