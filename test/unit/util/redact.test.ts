import { describe, expect, it } from 'vitest';
import { redactSecrets, redactingLogger } from '../../../src/util/redact.js';
import type { LogFields, LogLevel } from '../../../src/util/logger.js';

describe('redactSecrets', () => {
  it('hides the values of secret=, sign= and token= wherever they appear', () => {
    expect(redactSecrets('publish live/movie?secret=hunter2hunter2')).toBe('publish live/movie?secret=<redacted>');
    expect(redactSecrets("connect to unknown app 'live?x=1&Secret=abc&y=2'")).toBe("connect to unknown app 'live?x=1&Secret=<redacted>&y=2'");
    expect(redactSecrets('GET /live/m.flv?sign=1799999999-abcdef token=t0k')).toBe('GET /live/m.flv?sign=<redacted> token=<redacted>');
    expect(redactSecrets('nothing secret here: secretary=1')).toBe('nothing secret here: secretary=1');
  });

  it('a redacting logger passes redacted messages and fields on', () => {
    const lines: [LogLevel, string, LogFields | undefined][] = [];
    const logger = redactingLogger({ log: (level, message, fields) => lines.push([level, message, fields]) });
    logger.log('warn', 'refused live/x?secret=abc', { url: '/live/x.flv?sign=1-ff', count: 3 });
    logger.log('info', 'plain');
    logger.log('info', 'rtmp 127.0.0.1:5000 playing live/x', { peer: '127.0.0.1:5000', path: 'live/x' });
    logger.log('info', 'a field only', { peer: '127.0.0.1:5000', url: 'rtmp://h/live?token=abc' });
    expect(lines).toEqual([
      ['warn', 'refused live/x?secret=<redacted>', { url: '/live/x.flv?sign=<redacted>', count: 3 }],
      ['info', 'plain', undefined],
      ['info', 'rtmp 127.0.0.1:5000 playing live/x', { peer: '127.0.0.1:5000', path: 'live/x' }],
      ['info', 'a field only', { peer: '127.0.0.1:5000', url: 'rtmp://h/live?token=<redacted>' }],
    ]);
  });
});
