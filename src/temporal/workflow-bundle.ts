import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@temporalio/common';
import { bundleWorkflowCode, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { describeError } from './update-errors';
import { log } from '../log';

const ROOT = path.resolve(__dirname, '..', '..');

/** Workflow interceptors (request ids into activities and logs), bundled with the workflow code. */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../../workflows/interceptors')];

/** Where bundles are kept: the conventional place for a package's build caches. */
export const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'certificate-profiles');

/** `workflow-bundle-<key>-<SHA-256 of the code>.js`: the second hash tells a whole file from a damaged one. */
const BUNDLE_FILE = /^workflow-bundle-([0-9a-f]{64})-([0-9a-f]{64})\.js$/;

/** A file being written that is older than this was left by a process that died while writing it. */
const ABANDONED_MS = 10 * 60_000;

/**
 * The workflow code as webpack bundles it for the worker's sandbox (`bundleWorkflowCode`, with the
 * interceptors), `{ code }`. Bundling takes about 3 s, a third of a warm `npm start` (issue 9:
 * start_to_ready ≤ 8 s), so the bundle is kept in `cacheDir` (default `node_modules/.cache/certificate-profiles/`,
 * where the image's build puts it: `npm run bundle`) under the SHA-256 of everything that can go into it
 * (`bundleKey`), and reused while that is unchanged: Temporal advises a prebuilt bundle for production.
 * A kept bundle is read only whole (its name carries its own hash; a damaged one is bundled again) and
 * kept only when no input changed while webpack read them. A cache that cannot be read or written costs
 * the bundling only (a warning says so). `logger`: webpack's report (default: the SDK runtime's, which
 * the service writes at debug). Rejects when the workflow code does not bundle (a syntax or import error).
 */
export async function workflowBundle(options: { cacheDir?: string; logger?: Logger } = {}): Promise<WorkflowBundle> {
  const cacheDir = options.cacheDir ?? CACHE_DIR;
  const key = keyOrNone();
  const cached = key && readWhole(cacheDir, key);
  if (cached) return { code: cached };
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: options.logger ?? Runtime.instance().logger,
  });
  // A file changed while webpack read the files (a checkout, a save): the bundle may mix both, so it is not kept.
  if (key && keyOrNone() === key) keep(cacheDir, key, code);
  else if (key) log.warn('the workflow bundle is not cached: its files changed while webpack read them');
  return { code };
}

/** The kept bundle's path for the code as it is now, or undefined when there is none (`npm run bundle` checks it was written). */
export function cachedBundleFile(cacheDir = CACHE_DIR): string | undefined {
  const key = keyOrNone();
  const [kept] = key ? keptBundles(cacheDir, key) : [];
  return kept?.file;
}

/**
 * Hex SHA-256 over what a bundle is made of: every file under `workflows/` and `src/` (the workflow
 * code and what it imports from the service, names and contents), `package.json`, `package-lock.json`
 * (the versions of the SDK, webpack and every package the workflows import), `node_modules/.package-lock.json`
 * (what npm actually installed, rewritten by every install) and the interceptor modules. Any change to
 * one of them makes a new bundle. Throws when a file cannot be read, and on a symbolic link under
 * `workflows/` or `src/` (webpack follows links; the key would not see through them). `root`: the
 * project (tests give another).
 */
export function bundleKey(root = ROOT): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(WORKFLOW_INTERCEPTOR_MODULES.map((file) => path.relative(ROOT, file))));
  const installed = path.join('node_modules', '.package-lock.json');
  const files = [
    ...filesUnder(root, 'workflows'),
    ...filesUnder(root, 'src'),
    'package.json',
    'package-lock.json',
    ...(existsSync(path.join(root, installed)) ? [installed] : []),
  ];
  for (const file of files) {
    hash.update(`\0${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
  }
  return hash.digest('hex');
}

/** `bundleKey()`, or undefined (and no caching) when it cannot be computed. */
function keyOrNone(): string | undefined {
  try {
    return bundleKey();
  } catch (error) {
    log.warn(`the workflow bundle is not cached: ${describeError(error)}`);
    return undefined;
  }
}

/** The kept bundle for `key`, if one is there whole; a damaged one is removed. */
function readWhole(cacheDir: string, key: string): string | undefined {
  for (const { file, codeHash } of keptBundles(cacheDir, key)) {
    try {
      const code = readFileSync(file, 'utf8');
      if (sha256(code) === codeHash) return code;
      log.warn(`the cached workflow bundle ${file} is damaged: bundling again`);
      rmSync(file, { force: true });
    } catch (error) {
      log.warn(`the cached workflow bundle ${file} cannot be read (${describeError(error)}): bundling again`);
    }
  }
  return undefined;
}

/** The bundles kept in `cacheDir` for `key`, with the hash their code should have. */
function keptBundles(cacheDir: string, key: string): Array<{ file: string; codeHash: string }> {
  return readdirIfAny(cacheDir).flatMap((name) => {
    const [, fileKey, codeHash] = BUNDLE_FILE.exec(name) ?? [];
    return fileKey === key ? [{ file: path.join(cacheDir, name), codeHash }] : [];
  });
}

/** Writes the bundle whole (synced, then renamed into place) and removes older ones; a failure is a warning. */
function keep(cacheDir: string, key: string, code: string): void {
  const name = `workflow-bundle-${key}-${sha256(code)}.js`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    const partial = path.join(cacheDir, `${name}.${process.pid}.partial`);
    writeFileSync(partial, code);
    syncPath(partial);
    renameSync(partial, path.join(cacheDir, name));
  } catch (error) {
    log.warn(`the workflow bundle is not cached in ${cacheDir} (${describeError(error)}): each start bundles it again`);
    return;
  }
  // Best effort from here: the bundle is in place. The rename made durable; older bundles and abandoned writes removed.
  ignoringErrors(() => syncPath(cacheDir));
  for (const other of readdirIfAny(cacheDir)) {
    const file = path.join(cacheDir, other);
    const older = other !== name && other.startsWith('workflow-bundle-') && other.endsWith('.js');
    ignoringErrors(() => {
      if (older || (other.endsWith('.partial') && Date.now() - statSync(file).mtimeMs > ABANDONED_MS)) rmSync(file, { force: true });
    });
  }
}

function ignoringErrors(work: () => void): void {
  try {
    work();
  } catch {
    // A file another process removed or renamed meanwhile, a directory that cannot be synced.
  }
}

function syncPath(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readdirIfAny(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every file under `root`/`dir`, relative to `root`, in a stable order; throws on a symbolic link. */
function filesUnder(root: string, dir: string): string[] {
  const entries = readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true });
  const link = entries.find((entry) => entry.isSymbolicLink());
  if (link) throw new Error(`${path.join(link.parentPath, link.name)} is a symbolic link`);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}
