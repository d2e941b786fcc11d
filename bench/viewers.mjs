// One place that turns a viewer spec into a viewer: `{ protocol, endpoints }`, where endpoints holds the stream's
// address for every protocol (see streamEndpoints).

import { FlvViewer } from './flv-viewer.mjs';
import { HlsViewer } from './hls-viewer.mjs';
import { RtmpViewer } from './rtmp-viewer.mjs';
import { WsViewer } from './ws-viewer.mjs';

export const PROTOCOLS = Object.freeze(['rtmp', 'flv', 'ws', 'hls']);

/** A stream's addresses: RTMP target, HTTP-FLV, WebSocket-FLV and HLS URLs (a server may serve only some). */
export function streamEndpoints({ rtmpPort, httpPort, app = 'live', key }) {
  return {
    rtmp: { host: '127.0.0.1', port: rtmpPort, app, key },
    flv: `http://127.0.0.1:${httpPort}/${app}/${key}.flv`,
    ws: `ws://127.0.0.1:${httpPort}/${app}/${key}.flv`,
    hls: `http://127.0.0.1:${httpPort}/${app}/${key}.m3u8`,
  };
}

/** @param {{ protocol: 'rtmp'|'flv'|'ws'|'hls', endpoints: ReturnType<typeof streamEndpoints> }} spec */
export function createViewer(spec, hooks = {}) {
  const target = spec.endpoints[spec.protocol];
  switch (spec.protocol) {
    case 'rtmp':
      return new RtmpViewer(target, hooks);
    case 'flv':
      return new FlvViewer(target, hooks);
    case 'ws':
      return new WsViewer(target, hooks);
    case 'hls':
      return new HlsViewer(target, hooks);
    default:
      throw new Error(`unknown protocol ${spec.protocol}`);
  }
}

/**
 * One viewer's join: from the start of its connect to the end of the first keyframe with a picture. Resolves with
 * `{ keyframeMs, firstByteMs }`; rejects on a close before it, or after `timeoutMs`.
 */
export function timeToKeyframe(spec, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    let timer;
    const viewer = createViewer(spec, {
      onKeyframe: (v) => {
        clearTimeout(timer);
        resolve({ keyframeMs: v.keyframeMs, firstByteMs: v.playingAt ? v.playingAt - v.startedAt : null });
        v.stop();
      },
      onClose: (v) => {
        clearTimeout(timer);
        reject(new Error(`${spec.protocol}: ${v.closeReason}`));
      },
    });
    timer = setTimeout(() => viewer.fail(`no keyframe within ${timeoutMs} ms`), timeoutMs);
    viewer.start();
  });
}
