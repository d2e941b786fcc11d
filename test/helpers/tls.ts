import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchSubdir } from './media.js';
import { runProcess } from './processes.js';

export interface TestCertificate {
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
}

let made: Promise<TestCertificate> | undefined;

/** A self-signed certificate for localhost / 127.0.0.1 / ::1, made once per worker with openssl at test time. */
export function selfSignedCertificate(): Promise<TestCertificate> {
  made ??= (async () => {
    const dir = scratchSubdir('tls');
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    const r = await runProcess('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    ], { timeoutMs: 30_000, name: 'openssl' });
    if (r.code !== 0) throw new Error(`openssl could not make a test certificate:\n${r.stderr}`);
    return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
  })();
  return made;
}
