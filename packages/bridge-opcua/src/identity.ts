import { readFileSync } from 'node:fs';
import { OpcuaBridgeError, messageOf } from './errors.js';
import type { IdentityKind } from './security.js';

/**
 * Who the session logs in as: anonymous, a user name and password (best read from the
 * environment), or an X.509 user certificate with its private key (PEM or DER files).
 */
export type OpcuaAuth =
  | { kind: 'anonymous' }
  | { kind: 'username'; username: string; password: string }
  | { kind: 'certificate'; certificateFile: string; privateKeyFile: string };

/** The identity kind of `auth`, as endpoint user tokens name them. */
export function identityKind(auth: OpcuaAuth): IdentityKind {
  return auth.kind;
}

/** How logs name the identity, without its secret. */
export function describeIdentity(auth: OpcuaAuth): string {
  switch (auth.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'username':
      return `user "${auth.username}"`;
    case 'certificate':
      return `user certificate ${auth.certificateFile}`;
  }
}

/** UserTokenType numbers (Part 4, 7.37), as node-opcua's `UserTokenType` has them. */
const TOKEN = { anonymous: 0, username: 1, certificate: 2 } as const;

/** The `UserIdentityInfo` node-opcua's `createSession` takes. */
export type IdentityInfo =
  | { type: 0 }
  | { type: 1; userName: string; password: string }
  | { type: 2; certificateData: Buffer; privateKey: string };

function derOf(text: Buffer): Buffer {
  const pem = text.toString('latin1');
  const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1];
  return body === undefined ? text : Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

/**
 * The identity node-opcua sends for `auth`. A user certificate's files are read here; an
 * unreadable one rejects with `AUTH_FAILED` naming the file.
 */
export function buildIdentity(auth: OpcuaAuth): IdentityInfo {
  switch (auth.kind) {
    case 'anonymous':
      return { type: TOKEN.anonymous };
    case 'username':
      return { type: TOKEN.username, userName: auth.username, password: auth.password };
    case 'certificate': {
      let certificate: Buffer;
      let key: string;
      try {
        certificate = derOf(readFileSync(auth.certificateFile));
      } catch (err) {
        throw new OpcuaBridgeError('AUTH_FAILED', `cannot read the user certificate ${auth.certificateFile}: ${messageOf(err)}`, { cause: err, retryable: false });
      }
      try {
        key = readFileSync(auth.privateKeyFile, 'latin1');
      } catch (err) {
        throw new OpcuaBridgeError('AUTH_FAILED', `cannot read the user certificate's key ${auth.privateKeyFile}: ${messageOf(err)}`, { cause: err, retryable: false });
      }
      return { type: TOKEN.certificate, certificateData: certificate, privateKey: key };
    }
  }
}
