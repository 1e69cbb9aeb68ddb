import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, utimesSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleKey, cachedBundleFile, workflowBundle } from '../../src/temporal/workflow-bundle';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('bundleKey: what a cached workflow bundle is made of', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cps-bundle-key-'));
    mkdirSync(path.join(root, 'workflows', 'lib'), { recursive: true });
    mkdirSync(path.join(root, 'src', 'domain'), { recursive: true });
    writeFileSync(path.join(root, 'workflows', 'index.ts'), 'export * from "./lib/a";');
    writeFileSync(path.join(root, 'workflows', 'lib', 'a.ts'), 'export const a = 1;');
    writeFileSync(path.join(root, 'src', 'domain', 'b.ts'), 'export const b = 2;');
    writeFileSync(path.join(root, 'package.json'), '{"name": "x"}');
    writeFileSync(path.join(root, 'package-lock.json'), '{"packages": {"node_modules/@temporalio/worker": {"version": "1.24.0"}}}');
    mkdirSync(path.join(root, 'node_modules'));
    writeFileSync(path.join(root, 'node_modules', '.package-lock.json'), '{"packages": {"node_modules/@temporalio/worker": {"version": "1.24.0"}}}');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('the same files give the same key, whenever it is computed', () => {
    expect(bundleKey(root)).toMatch(/^[0-9a-f]{64}$/);
    expect(bundleKey(root)).toBe(bundleKey(root));
  });

  test.each([
    ['a workflow file changed', 'workflows/lib/a.ts', 'export const a = 3;'],
    ['a service file the workflows import changed', 'src/domain/b.ts', 'export const b = 4;'],
    ['a workflow file added', 'workflows/lib/c.ts', 'export const c = 5;'],
    ['a dependency upgraded', 'package-lock.json', '{"packages": {"node_modules/@temporalio/worker": {"version": "1.25.0"}}}'],
    [
      'another version installed than the lockfile names',
      'node_modules/.package-lock.json',
      '{"packages": {"node_modules/@temporalio/worker": {"version": "1.25.0"}}}',
    ],
    ['package.json changed', 'package.json', '{"name": "x", "browserslist": "node 20"}'],
  ])('%s: a new key', (_, file, contents) => {
    const before = bundleKey(root);
    writeFileSync(path.join(root, file), contents);
    expect(bundleKey(root)).not.toBe(before);
  });

  test('a symbolic link under src/ or workflows/ (webpack would follow it): no key, so no cache', () => {
    writeFileSync(path.join(root, 'elsewhere.ts'), 'export const d = 6;');
    symlinkSync(path.join(root, 'elsewhere.ts'), path.join(root, 'src', 'domain', 'linked.ts'));
    expect(() => bundleKey(root)).toThrow(/linked\.ts is a symbolic link/);
  });

  test('a file moved with the same contents: a new key (names count, not only contents)', () => {
    const before = bundleKey(root);
    rmSync(path.join(root, 'src', 'domain', 'b.ts'));
    writeFileSync(path.join(root, 'src', 'domain', 'moved.ts'), 'export const b = 2;');
    expect(bundleKey(root)).not.toBe(before);
  });
});

describe('workflowBundle: bundled once, then read from the cache', () => {
  let cacheDir: string;
  beforeEach(() => (cacheDir = mkdtempSync(path.join(os.tmpdir(), 'cps-bundle-cache-'))));
  afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  test('the first call bundles and keeps the bundle under its key and its own hash, replacing older ones; the next reads it', async () => {
    writeFileSync(path.join(cacheDir, `workflow-bundle-${'0'.repeat(64)}-${'1'.repeat(64)}.js`), 'an older bundle');
    // Writes another process left: one that died 20 minutes ago, one still writing.
    const abandoned = path.join(cacheDir, `workflow-bundle-${'2'.repeat(64)}-${'3'.repeat(64)}.js.123.partial`);
    const writing = path.join(cacheDir, `workflow-bundle-${'4'.repeat(64)}-${'5'.repeat(64)}.js.456.partial`);
    writeFileSync(abandoned, 'half');
    utimesSync(abandoned, new Date(Date.now() - 20 * 60_000), new Date(Date.now() - 20 * 60_000));
    writeFileSync(writing, 'half');
    const { code } = await workflowBundle({ cacheDir, logger: quiet });
    // The real workflow code, with the interceptors bundled in.
    expect(code).toContain('organizationWorkflow');
    expect(code).toContain('workflows/interceptors.ts');
    const file = `workflow-bundle-${bundleKey()}-${sha256(code)}.js`;
    expect(readdirSync(cacheDir).sort()).toEqual([file, path.basename(writing)].sort());
    expect(readFileSync(path.join(cacheDir, file), 'utf8')).toBe(code);
    expect(cachedBundleFile(cacheDir)).toBe(path.join(cacheDir, file));

    // Read, not bundled again: what a whole file holds is what comes back.
    const marked = `${code}\n// read from the cache`;
    rmSync(path.join(cacheDir, file));
    writeFileSync(path.join(cacheDir, `workflow-bundle-${bundleKey()}-${sha256(marked)}.js`), marked);
    expect((await workflowBundle({ cacheDir, logger: quiet })).code).toBe(marked);
  }, 60_000);

  test('a damaged bundle (cut short by a crash) is not run: bundled again and replaced', async () => {
    const { code } = await workflowBundle({ cacheDir, logger: quiet });
    const [file] = readdirSync(cacheDir);
    writeFileSync(path.join(cacheDir, file), code.slice(0, 1_000_000));
    expect((await workflowBundle({ cacheDir, logger: quiet })).code).toBe(code);
    expect(readFileSync(path.join(cacheDir, file), 'utf8')).toBe(code);
  }, 60_000);

  test('a cache that cannot be written costs only the bundling', async () => {
    const notADirectory = path.join(cacheDir, 'file');
    writeFileSync(notADirectory, '');
    const { code } = await workflowBundle({ cacheDir: notADirectory, logger: quiet });
    expect(code).toContain('organizationWorkflow');
  }, 60_000);
});
