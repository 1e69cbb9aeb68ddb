import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@temporalio/common';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { log } from '../log';

const ROOT = path.resolve(__dirname, '..', '..');

/** Workflow interceptors (request ids into activities and logs), bundled with the workflow code. */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../../workflows/interceptors')];

/** Where bundles are kept: the conventional place for a package's build caches. */
export const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'certificate-profiles');

/**
 * The workflow code as webpack bundles it for the worker's sandbox (`bundleWorkflowCode`, with the
 * interceptors), `{ code }`. Bundling takes about 3 s, a third of a warm `npm start` (issue 9:
 * start_to_ready ≤ 8 s), so the bundle is kept in `cacheDir` (default `node_modules/.cache/certificate-profiles/`,
 * where the image's build puts it: `npm run bundle`) under the SHA-256 of everything that can go into it
 * (`bundleKey`), and reused while that is unchanged: Temporal advises a prebuilt bundle for production. A
 * cache that cannot be read or written costs only the bundling. `logger`: webpack's report (default: the
 * SDK's runtime logger). Rejects when the workflow code does not bundle (a syntax or import error).
 */
export async function workflowBundle(options: { cacheDir?: string; logger?: Logger } = {}): Promise<WorkflowBundle> {
  const cacheDir = options.cacheDir ?? CACHE_DIR;
  const file = path.join(cacheDir, `workflow-bundle-${bundleKey()}.js`);
  try {
    return { code: readFileSync(file, 'utf8') };
  } catch {
    // Not bundled yet for this code.
  }
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: options.logger,
  });
  try {
    mkdirSync(cacheDir, { recursive: true });
    // Older bundles go; the new one appears whole (renamed into place), so a reader never sees half of it.
    for (const old of readdirSync(cacheDir)) if (old.startsWith('workflow-bundle-')) rmSync(path.join(cacheDir, old), { force: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  } catch (error) {
    log.debug({ err: error }, `the workflow bundle is not cached (${cacheDir}): the next start bundles it again`);
  }
  return { code };
}

/**
 * Hex SHA-256 over what a bundle is made of: every file under `workflows/` and `src/` (the workflow
 * code and what it imports from the service, names and contents), `package-lock.json` (the versions of
 * the SDK, webpack and every package the workflows import) and the interceptor modules. Any change to
 * one of them makes a new bundle. `root`: the project (tests give another).
 */
export function bundleKey(root = ROOT): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(WORKFLOW_INTERCEPTOR_MODULES.map((file) => path.relative(ROOT, file))));
  const files = [...filesUnder(root, 'workflows'), ...filesUnder(root, 'src'), 'package-lock.json'];
  for (const file of files) {
    hash.update(`\0${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
  }
  return hash.digest('hex');
}

/** Every file under `root`/`dir`, relative to `root`, in a stable order. */
function filesUnder(root: string, dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}
