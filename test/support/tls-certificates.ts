import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files made for one test: a CA, a server and a client certificate it signed, and an unrelated CA. */
export interface TestCertificates {
  readonly dir: string;
  /** The CA that signed the server and client certificates. */
  readonly caFile: string;
  readonly ca: string;
  /** Issued for `localhost` and `127.0.0.1` (subjectAltName), serverAuth. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** CN `tiered-cache`, clientAuth. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A CA that signed nothing here: trusting it alone must refuse the server. */
  readonly otherCaFile: string;
  dispose(): Promise<void>;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') throw new Error('openssl is not installed; the TLS tests make their certificates with it');
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr ?? (error as Error).message}`);
  }
}

/** EC P-256 keys: made in milliseconds, unlike RSA. Valid for two days. */
async function selfSignedCa(dir: string, name: string, subject: string): Promise<void> {
  await openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', subject]);
}

async function issued(dir: string, name: string, subject: string, extensions: string): Promise<void> {
  await openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
}

/** Makes the certificates with `openssl` in a new temporary directory; `dispose()` removes it. */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'tc-tls-'));
  await selfSignedCa(dir, 'ca', '/CN=Tiered Cache Test CA');
  await selfSignedCa(dir, 'other-ca', '/CN=Unrelated Test CA');
  await issued(dir, 'server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await issued(dir, 'client', '/CN=tiered-cache', 'extendedKeyUsage=clientAuth\n');
  const file = (name: string) => join(dir, name);
  return {
    dir,
    caFile: file('ca.crt'),
    ca: await readFile(file('ca.crt'), 'utf8'),
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.crt'),
    clientKeyFile: file('client.key'),
    otherCaFile: file('other-ca.crt'),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
