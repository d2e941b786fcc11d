// Runs node-media-server (the comparison server) on the given loopback ports.
// usage: node bench/nms-server.mjs <rtmpPort> <httpPort> <dataDir>
// RTMP: rtmp://127.0.0.1:<rtmpPort>/live/<key>; HTTP-FLV: http://127.0.0.1:<httpPort>/live/<key>.flv

import { join } from 'node:path';
import NodeMediaServer from 'node-media-server';

const [rtmpPort, httpPort, dataDir] = process.argv.slice(2);
if (!rtmpPort || !httpPort || !dataDir) {
  console.error('usage: node bench/nms-server.mjs <rtmpPort> <httpPort> <dataDir>');
  process.exit(2);
}

// No auth.jwt (no admin API), no https/rtmps, no recording, no webadmin: media only.
const config = {
  bind: '127.0.0.1',
  rtmp: { port: Number(rtmpPort) },
  http: { port: Number(httpPort) },
  store: { path: dataDir },
  webadmin: { enable: false },
  notify: { url: '' },
};

const nms = new NodeMediaServer(config, join(dataDir, 'config.json'));
nms.run();

const stop = async () => {
  await nms.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The bench orchestrator holds an IPC channel; if it dies, do not linger.
process.on('disconnect', stop);
