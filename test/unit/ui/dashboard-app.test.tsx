import chalk from 'chalk';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DashboardApp } from '../../../src/ui/dashboard-app.js';
import type { DashboardState } from '../../../src/ui/dashboard-state.js';
import { oneStreamWithViewers, scheduleStatus, share, state } from './fixtures.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

/** Polls until `check` holds (input is handled asynchronously; a loaded machine needs more than one tick). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick();
  }
}

function scheduling(): DashboardState {
  const snapshot = oneStreamWithViewers(1);
  snapshot.schedule = scheduleStatus({});
  return state(snapshot);
}

describe('DashboardApp keys', () => {
  beforeAll(() => {
    chalk.level = 0;
  });
  afterEach(() => cleanup());

  it('quits on q and on Ctrl-C', async () => {
    const onQuit = vi.fn();
    const read = () => scheduling();
    const app = render(<DashboardApp read={read} share={share} onQuit={onQuit} size={{ columns: 80, rows: 24 }} />);
    await tick();
    app.stdin.write('q');
    await until(() => onQuit.mock.calls.length === 1, 'q');
    app.stdin.write('\u0003');
    await until(() => onQuit.mock.calls.length === 2, 'Ctrl-C');
  });

  it('skips only after y, and n on its own changes nothing', async () => {
    const onSkip = vi.fn();
    const read = () => scheduling();
    const app = render(<DashboardApp read={read} share={share} onQuit={() => {}} onSkip={onSkip} size={{ columns: 80, rows: 24 }} />);
    await tick();
    const asking = () => (app.lastFrame() ?? '').includes('Skip to the next item now? (y/n)');
    app.stdin.write('n');
    await until(asking, 'the question');
    app.stdin.write('n');
    await until(() => !asking(), 'the question to go');
    expect(onSkip).not.toHaveBeenCalled();
    app.stdin.write('n');
    await until(asking, 'the question again');
    app.stdin.write('y');
    await until(() => onSkip.mock.calls.length === 1 && !asking(), 'the skip');
  });

  it('does not offer a skip when not scheduling, and toggles the help with ?', async () => {
    const onSkip = vi.fn();
    const read = () => state(oneStreamWithViewers(1));
    const app = render(<DashboardApp read={read} share={share} onQuit={() => {}} onSkip={onSkip} size={{ columns: 80, rows: 24 }} />);
    await tick();
    app.stdin.write('n');
    app.stdin.write('?');
    await until(() => (app.lastFrame() ?? '').includes('show or hide this help'), 'the help');
    expect(app.lastFrame()).not.toContain('Skip to the next item now?');
    expect(app.lastFrame()).toContain('(when scheduling)');
    app.stdin.write('?');
    await until(() => !(app.lastFrame() ?? '').includes('show or hide this help'), 'the help to go');
  });

  it('kicks the viewer whose number the host presses after k; Esc or another key kicks nobody', async () => {
    const onKick = vi.fn();
    const snapshot = oneStreamWithViewers(3);
    const read = () => state(snapshot);
    const app = render(<DashboardApp read={read} share={share} onQuit={() => {}} onKick={onKick} size={{ columns: 80, rows: 24 }} />);
    await tick();
    const asking = () => (app.lastFrame() ?? '').includes('Kick which viewer?');
    app.stdin.write('k');
    await until(asking, 'the kick question');
    expect(app.lastFrame()).toMatch(/^1 /m);
    app.stdin.write('\u001b');
    await until(() => !asking(), 'Esc');
    app.stdin.write('k');
    await until(asking, 'the kick question again');
    app.stdin.write('2');
    await until(() => onKick.mock.calls.length === 1 && !asking(), 'the kick');
    expect(onKick).toHaveBeenCalledWith(snapshot.viewers[1]?.id);
  });

  it('attached elsewhere: x stops the server after y, and the help says q leaves it running', async () => {
    const onStopServer = vi.fn();
    const onQuit = vi.fn();
    const read = () => ({ ...state(oneStreamWithViewers(1)), notice: 'lost the server; retrying' });
    const app = render(<DashboardApp read={read} share={share} onQuit={onQuit} onStopServer={onStopServer} size={{ columns: 80, rows: 24 }} />);
    await tick();
    expect(app.lastFrame()).toContain('lost the server; retrying');
    app.stdin.write('x');
    await until(() => (app.lastFrame() ?? '').includes('Stop the server now?'), 'the stop question');
    app.stdin.write('q'); // not a y: nothing happens, and q answers the question rather than quitting
    await until(() => !(app.lastFrame() ?? '').includes('Stop the server now?'), 'the question to go');
    expect(onStopServer).not.toHaveBeenCalled();
    expect(onQuit).not.toHaveBeenCalled();
    app.stdin.write('x');
    await until(() => (app.lastFrame() ?? '').includes('Stop the server now?'), 'the stop question again');
    app.stdin.write('y');
    await until(() => onStopServer.mock.calls.length === 1, 'the stop');
    app.stdin.write('?');
    await until(() => (app.lastFrame() ?? '').includes('leave the dashboard (the server keeps running)'), 'the help');
  });

  it('reads a new state on its refresh interval, not more often', async () => {
    let reads = 0;
    const read = () => {
      reads++;
      return state(oneStreamWithViewers(1 + (reads % 3)));
    };
    render(<DashboardApp read={read} share={share} onQuit={() => {}} refreshMs={100} size={{ columns: 80, rows: 24 }} />);
    await new Promise((resolve) => setTimeout(resolve, 550));
    expect(reads).toBeGreaterThanOrEqual(4);
    expect(reads).toBeLessThanOrEqual(8);
  });
});
