import type { HubEvent } from '../media/channel-hub.js';

/** The log line of a stream event: live, publisher left or back, ended, timestamps that jumped. */
export function describeHubEvent(event: HubEvent): string {
  switch (event.type) {
    case 'publish':
      return `${event.path}: ${event.resumed ? 'publisher is back' : 'live'} (from ${event.address})`;
    case 'unpublish':
      return `${event.path}: publisher left; viewers wait ${Math.round(event.graceMs / 1000)} s for it to come back`;
    case 'end':
      return `${event.path}: ended (${event.reason})`;
    case 'timestamp-jump': {
      const by = `${event.byMs < 0 ? 'back' : 'forward'} by ${(Math.abs(event.byMs) / 1000).toFixed(1)} s`;
      const more = event.count > 1 ? ` (${event.count} jumps in the last minute)` : '';
      return `${event.path}: the publisher's timestamps jumped ${by}${more}; viewers' timeline continues smoothly`;
    }
  }
}
