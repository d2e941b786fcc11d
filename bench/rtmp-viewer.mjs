// An RTMP play client: connect / createStream / play over rtmp-connection.mjs, then it reads the media messages
// (skimmed unless their payloads are wanted).

import { RtmpConnection } from './rtmp-connection.mjs';
import { Viewer } from './viewer-base.mjs';

export class RtmpViewer extends Viewer {
  /** @param {{ host: string, port: number, app: string, key: string }} target  @param {ConstructorParameters<typeof Viewer>[1]} hooks */
  constructor(target, hooks = {}) {
    super('rtmp', hooks);
    this.target = target;
    this.phase = 'handshake';
    this.streamId = 0;
    this.conn = new RtmpConnection(target, {
      keepMedia: this.keepPayload,
      onReady: () => {
        this.phase = 'connect';
        const { host, port, app } = target;
        this.conn.command(0, ['connect', 1, { app, tcUrl: `rtmp://${host}:${port}/${app}` }]);
      },
      onCommand: (head, whole) => this.onCommand(head, whole),
      onMedia: ({ type, timestamp, head, payload }) => {
        this.playing();
        this.media(type, timestamp, head, payload);
      },
      onBytes: (n) => { this.bytes += n; },
      onError: (reason) => { this.closeReason ||= reason; },
      onClose: () => this.closed(`closed by server while ${this.phase}`),
    });
  }

  start() {
    this.begin();
    this.conn.start();
  }

  destroy() {
    if (this.conn.socket) this.conn.destroy();
    else this.closed();
  }

  /** @param {any[]} head the reply's name and transaction id  @param {() => any[]} whole all its values */
  onCommand([name, tx], whole) {
    if (name === '_result' && tx === 1 && this.phase === 'connect') {
      this.phase = 'createStream';
      this.conn.command(0, ['createStream', 2, null]);
    } else if (name === '_result' && tx === 2 && this.phase === 'createStream') {
      const streamId = whole()[3];
      this.streamId = typeof streamId === 'number' ? streamId : 1;
      this.phase = 'play';
      this.conn.command(this.streamId, ['play', 0, null, this.target.key]);
    } else if (name === '_error') {
      this.fail(`_error in ${this.phase}: ${JSON.stringify(whole()[3] ?? null)}`);
    } else if (name === 'onStatus') {
      const info = whole()[3];
      if (info?.level === 'error') this.fail(`onStatus ${info.code}`);
    }
  }
}
