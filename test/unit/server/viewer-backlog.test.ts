import { describe, expect, it } from 'vitest';
import { ViewerBacklog } from '../../../src/server/viewer-backlog.js';

describe('ViewerBacklog', () => {
  it('is over its budget only while the viewers together hold more than it', () => {
    const backlog = new ViewerBacklog(1000);
    backlog.change(600);
    backlog.change(400);
    expect(backlog.over).toBe(false);
    backlog.change(1);
    expect(backlog.over).toBe(true);
    backlog.change(-601);
    expect(backlog.bytes).toBe(400);
    expect(backlog.over).toBe(false);
  });
});
