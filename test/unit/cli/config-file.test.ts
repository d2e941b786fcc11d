import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigFileError, loadConfigFile, parseConfig } from '../../../src/cli/config-file.js';
import { NetworkList } from '../../../src/server/access/networks.js';
import { UNLIMITED } from '../../../src/server/access/rate.js';
import { REPO_ROOT } from '../../helpers/server.js';

function problems(text: string): string {
  try {
    parseConfig(text, 'kayak.yaml');
  } catch (error) {
    if (error instanceof ConfigFileError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigFileError');
}

describe('config file', () => {
  it('reads the example in playlists/ with every setting', () => {
    const { values } = loadConfigFile(join(REPO_ROOT, 'playlists', 'kayak-server.yaml'));
    expect(values).toMatchObject({
      rtmpPort: 1935,
      httpPort: 8000,
      host: '0.0.0.0',
      publicHost: 'movies.example.net',
      app: 'live',
      grace: 10,
      maxBandwidth: 8_000_000,
      maxViewers: 10,
      maxConnectionsPerIp: 20,
      dashboard: false,
      logFormat: 'json',
      verbose: false,
    });
    expect(String(values.publishAllow)).toBe('127.0.0.0/8,::1/128');
    // No secret ships in an example: a copied one would be known to everyone.
    expect(values.publishSecret).toBeUndefined();
    expect(() => parseConfig('publish-secret: <the output of openssl rand -hex 16>\n', 'kayak.yaml')).toThrow(/only letters, digits/);
    expect(String(values.trustProxy)).toBe('127.0.0.1/32,::1/128');
  });

  it('names file, line and field of every problem at once', () => {
    const text = ['rtmp-port: 99999', 'max-viewer: 3', 'max-bandwidth: fast', 'publish-allow: [loopback, 10.0.0/8]', 'publish-secret: short', 'dashboard: maybe', ''].join('\n');
    expect(problems(text)).toBe(
      [
        'kayak.yaml:1: rtmp-port: expected a port number from 0 to 65535',
        "kayak.yaml:2: max-viewer: unknown setting (did you mean 'max-viewers'?); expected one of " + CONFIG_KEYS.join(', '),
        "kayak.yaml:3: max-bandwidth: 'fast' is not a rate: write it like 8mbit, 2500k (bits per second) or 1.5MB/s (bytes)",
        "kayak.yaml:4: publish-allow: '10.0.0/8' is not an IP address or CIDR block (e.g. 192.168.1.0/24, fd00::/8, loopback)",
        'kayak.yaml:5: publish-secret: a secret must be 12 to 256 characters long',
        'kayak.yaml:6: dashboard: expected true or false',
      ].join('\n'),
    );
  });

  it('reports YAML syntax, a non-mapping and duplicate keys', () => {
    expect(problems('max-viewers: [1\n')).toMatch(/^kayak\.yaml:\d+: YAML syntax/);
    expect(problems('- a\n- b\n')).toBe('kayak.yaml:1: expected a mapping of settings, like `max-viewers: 10`');
    expect(problems('app: a\napp: b\n')).toMatch(/^kayak\.yaml:2: YAML syntax: Map keys must be unique/);
  });

  it('reads lists and strings of networks, limits, and paths relative to the file', () => {
    const values = parseConfig('publish-allow: none\ntrust-proxy: "10.0.0.1, fd00::1"\nmax-viewers: unlimited\ntls-cert: certs/c.pem\npush: rtmp://b.example/live/{key}\n', '/etc/kayak/kayak.yaml');
    expect(values.push).toEqual(['rtmp://b.example/live/{key}']);
    expect(() => parseConfig('push: [ftp://x/y]\n', 'kayak.yaml')).toThrow(/kayak\.yaml:1: push: .*only rtmp/);
    expect((values.publishAllow as NetworkList).isEmpty).toBe(true);
    expect(String(values.trustProxy)).toBe('10.0.0.1/32,fd00::1/128');
    expect(values.maxViewers).toBe(UNLIMITED);
    expect(values.tlsCert).toBe('/etc/kayak/certs/c.pem');
    expect(parseConfig('', 'empty.yaml')).toEqual({});
  });

  it('says when the file is readable by everyone', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kayak-config-')), 'kayak.yaml');
    writeFileSync(file, 'app: live\n');
    chmodSync(file, 0o644);
    expect(loadConfigFile(file).worldReadable).toBe(true);
    chmodSync(file, 0o600);
    expect(loadConfigFile(file).worldReadable).toBe(false);
    expect(() => loadConfigFile(`${file}.missing`)).toThrow(/no such file/);
  });
});
