import * as fs from 'fs';
import * as path from 'path';
import { run } from './processes';

/** The files of a control plane's PKI, made with openssl for one run. */
export interface Pki {
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** An admin client certificate (group system:masters). */
  readonly adminCert: string;
  readonly adminKey: string;
  /** The key pair that signs and verifies service-account tokens. */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

function openssl(dir: string, args: string[]): void {
  run('openssl', args, { cwd: dir });
}

/**
 * A CA, a serving certificate for 127.0.0.1 and `serverIps` (the addresses the API server is reached
 * at besides), an admin client certificate and a service-account key pair.
 */
export function makePki(dir: string, serverIps: string[] = []): Pki {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=edgefleet-e2e-ca',
  ]);
  const signed = (name: string, subject: string, extensions: string) => {
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    fs.writeFileSync(file(`${name}.ext`), extensions);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ]);
  };
  const ips = ['127.0.0.1', ...serverIps].map((ip) => `IP:${ip}`).join(',');
  signed('server', '/CN=kube-apiserver', `subjectAltName=${ips},DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n`);
  signed('admin', '/O=system:masters/CN=edgefleet-e2e-admin', 'extendedKeyUsage=clientAuth\n');
  openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
  openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  return {
    caCert: file('ca.crt'),
    caKey: file('ca.key'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    adminCert: file('admin.crt'),
    adminKey: file('admin.key'),
    serviceAccountKey: file('sa.key'),
    serviceAccountPub: file('sa.pub'),
  };
}

/** A kubeconfig for the admin client of the API server at `server`. */
export function writeKubeconfig(file: string, server: string, pki: Pki): string {
  const b64 = (f: string) => fs.readFileSync(f).toString('base64');
  fs.writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: e2e\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${b64(pki.caCert)}`,
      'users:',
      `- name: admin\n  user:\n    client-certificate-data: ${b64(pki.adminCert)}\n    client-key-data: ${b64(pki.adminKey)}`,
      'contexts:',
      '- name: e2e\n  context:\n    cluster: e2e\n    user: admin',
      'current-context: e2e',
      '',
    ].join('\n'),
  );
  return file;
}
