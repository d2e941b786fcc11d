import { networkInterfaces } from 'node:os';

/** The hosts to print in share URLs: the one given, else every non-internal IPv4 address, else localhost. */
export function shareHosts(publicHost: string | undefined, listenHost: string): string[] {
  if (publicHost !== undefined && publicHost !== '') return [publicHost];
  if (listenHost !== '0.0.0.0' && listenHost !== '::') return [listenHost];
  const hosts = Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry.address);
  return hosts.length > 0 ? hosts : ['localhost'];
}

export interface ShareUrls {
  rtmp: string;
  flv: string;
  /** HLS (iPhone, iPad, Safari, smart TVs, any CDN or cache): the multivariant playlist. */
  hls: string;
  /** The browser watch page. */
  watch: string;
}

export function streamUrls(host: string, ports: { rtmp: number; http: number }, path: string): ShareUrls {
  const name = host.includes(':') ? `[${host}]` : host;
  return {
    rtmp: `rtmp://${name}:${ports.rtmp}/${path}`,
    flv: `http://${name}:${ports.http}/${path}.flv`,
    hls: `http://${name}:${ports.http}/${path}.m3u8`,
    watch: `http://${name}:${ports.http}/${path}.html`,
  };
}
