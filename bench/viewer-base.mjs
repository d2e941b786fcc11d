// What every benchmark viewer keeps, whatever its protocol: bytes received, its state, when it started, when the
// first byte and the first keyframe with a picture arrived, and the highest media timestamp it has seen (its media
// time advances at the wall clock's rate while it keeps up with the stream).

import { TAG, isKeyframePicture } from './flv-stream.mjs';

export class Viewer {
  /**
   * @param {'rtmp'|'flv'|'ws'|'hls'} protocol
   * @param {{ onKeyframe?: (v: Viewer) => void, onClose?: (v: Viewer) => void,
   *           onMedia?: (m: { type: number, timestamp: number, payload: Buffer }, at: number, v: Viewer) => void,
   *           keepPayload?: boolean }} hooks onMedia needs keepPayload (whole payloads are kept only then)
   */
  constructor(protocol, { onKeyframe, onClose, onMedia, keepPayload = false } = {}) {
    this.protocol = protocol;
    this.onKeyframe = onKeyframe;
    this.onClose = onClose;
    this.onMedia = onMedia;
    this.keepPayload = keepPayload;
    this.bytes = 0;
    this.state = 'connecting';
    this.startedAt = 0;
    this.playingAt = 0;
    this.keyframeAt = 0;
    this.lastTs = -1;
    this.closeReason = '';
  }

  /** The start of the clock for join times; subclasses call it first in start(). */
  begin() {
    this.startedAt = performance.now();
  }

  /** Media bytes are flowing. */
  playing() {
    if (this.state === 'playing') return;
    this.state = 'playing';
    this.playingAt = performance.now();
  }

  /** One complete audio or video message/tag; `head` is its first payload bytes. */
  media(type, timestamp, head, payload) {
    if (type === TAG.VIDEO && !this.keyframeAt && isKeyframePicture(head)) {
      this.keyframeAt = performance.now();
      this.onKeyframe?.(this);
    }
    if (timestamp > this.lastTs) this.lastTs = timestamp;
    if (this.onMedia && payload) this.onMedia({ type, timestamp, payload }, performance.now(), this);
  }

  /** The connection is gone; the first reason given stands. */
  closed(reason) {
    if (this.state === 'closed') return;
    const was = this.state;
    this.state = 'closed';
    this.closeReason ||= reason ?? `closed while ${was}`;
    this.onClose?.(this);
  }

  /** Ends the viewer with `reason` (a protocol problem on our side of the wire, or a refusal). */
  fail(reason) {
    this.closeReason ||= reason;
    this.destroy();
  }

  stop() {
    this.closeReason ||= 'stopped';
    this.destroy();
  }

  /** Subclasses close their connection here; it must end in closed(). */
  destroy() {
    this.closed();
  }

  /** Join time: connect to the end of the first keyframe, in ms, or null. */
  get keyframeMs() {
    return this.keyframeAt ? this.keyframeAt - this.startedAt : null;
  }
}
