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

/** The server's ports; with `tls`, the HTTP port speaks HTTPS and RTMP is shared as RTMPS on `rtmps`. */
export interface SharePorts {
  rtmp: number;
  http: number;
  rtmps?: number;
  tls?: boolean;
}

/** The URLs of `app/key`; `query` (e.g. `sign=...` for a private show) is appended to each. */
export function streamUrls(host: string, ports: SharePorts, path: string, query = ''): ShareUrls {
  const name = host.includes(':') ? `[${host}]` : host;
  const tls = ports.tls === true && ports.rtmps !== undefined;
  const suffix = query === '' ? '' : `?${query}`;
  const web = `${tls ? 'https' : 'http'}://${name}:${ports.http}/${path}`;
  return {
    rtmp: `${tls ? 'rtmps' : 'rtmp'}://${name}:${tls ? ports.rtmps : ports.rtmp}/${path}${suffix}`,
    flv: `${web}.flv${suffix}`,
    hls: `${web}.m3u8${suffix}`,
    watch: `${web}.html${suffix}`,
  };
}
