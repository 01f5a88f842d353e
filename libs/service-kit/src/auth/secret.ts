// The embedded profile's HS256 secret: WENMING_JWT_SECRET when set, else one
// generated on first use into <data dir>/jwt-secret (mode 0600), so the server and
// the `wenming token` CLI on the same machine sign and verify with the same key
// without anyone having to invent one.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type AuthConfig, ConfigError, MIN_JWT_SECRET_LENGTH } from '../config.js';

type Hs256Config = Extract<AuthConfig, { mode: 'hs256' }>;

export function hs256Secret(config: Hs256Config): Uint8Array {
  const text = config.secret ?? readOrCreateSecretFile(config.secretFile);
  return new TextEncoder().encode(text);
}

/** Where an existing secret came from, so a signer can say which one it used. */
export type Hs256SecretSource = { from: 'WENMING_JWT_SECRET'; secret: Uint8Array } | { from: 'file'; file: string; secret: Uint8Array };

/**
 * The secret the server verifies with, without ever creating one: undefined when
 * WENMING_JWT_SECRET is unset and the secret file does not exist (a token signed
 * with a freshly generated secret would be refused by a server already running
 * with another one).
 */
export function existingHs256Secret(config: Hs256Config): Hs256SecretSource | undefined {
  if (config.secret !== undefined) return { from: 'WENMING_JWT_SECRET', secret: new TextEncoder().encode(config.secret) };
  const text = readSecretFile(config.secretFile);
  return text === undefined ? undefined : { from: 'file', file: config.secretFile, secret: new TextEncoder().encode(text) };
}

function readOrCreateSecretFile(file: string): string {
  const existing = readSecretFile(file);
  if (existing !== undefined) return existing;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Written aside, then linked into place: link fails if the file appeared meanwhile
  // (a server and a CLI starting together), and nobody ever reads a half-written key.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temp);
  }
  const secret = readSecretFile(file);
  if (secret === undefined) throw new ConfigError('WENMING_JWT_SECRET', `could not create ${file}`);
  return secret;
}

function readSecretFile(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // Like ssh with a private key: a signing secret others can read is no secret.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new ConfigError('WENMING_JWT_SECRET', `${file} is readable by other users; run chmod 600 ${file}`);
  }
  if (text.length < MIN_JWT_SECRET_LENGTH) {
    throw new ConfigError(
      'WENMING_JWT_SECRET',
      `${file} holds fewer than ${MIN_JWT_SECRET_LENGTH} characters; delete it to generate a new one`,
    );
  }
  return text;
}
