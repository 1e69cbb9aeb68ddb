import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

/**
 * SECRET_KEY seals DNS provider credentials. The embedded default keeps a generated key beside its
 * data (`data/secret.key`, mode 0600); separate processes must share one through the environment.
 */
export function resolveSecretKey(config: Config, embedded: boolean): Buffer {
  if (config.secretKey) return config.secretKey;
  if (!embedded) throw new Error('SECRET_KEY or SECRET_KEY_FILE is required (32 bytes, base64: openssl rand -base64 32)');
  const file = path.join(config.dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}
