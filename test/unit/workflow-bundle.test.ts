import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleKey, workflowBundle } from '../../src/temporal/workflow-bundle';

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
    writeFileSync(path.join(root, 'package-lock.json'), '{"packages": {"node_modules/@temporalio/worker": {"version": "1.24.0"}}}');
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
  ])('%s: a new key', (_, file, contents) => {
    const before = bundleKey(root);
    writeFileSync(path.join(root, file), contents);
    expect(bundleKey(root)).not.toBe(before);
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

  test('the first call bundles and keeps the bundle under its key, replacing older ones; the next reads it', async () => {
    writeFileSync(path.join(cacheDir, 'workflow-bundle-0000.js'), 'an older bundle');
    const { code } = await workflowBundle({ cacheDir, logger: quiet });
    // The real workflow code, with the interceptors bundled in.
    expect(code).toContain('organizationWorkflow');
    expect(code).toContain('workflows/interceptors.ts');
    const file = `workflow-bundle-${bundleKey()}.js`;
    expect(readdirSync(cacheDir)).toEqual([file]);
    expect(readFileSync(path.join(cacheDir, file), 'utf8')).toBe(code);

    // Read, not bundled again: what the file holds is what comes back.
    writeFileSync(path.join(cacheDir, file), `${code}\n// read from the cache`);
    expect((await workflowBundle({ cacheDir, logger: quiet })).code).toBe(`${code}\n// read from the cache`);
  }, 60_000);

  test('a cache that cannot be written costs only the bundling', async () => {
    const notADirectory = path.join(cacheDir, 'file');
    writeFileSync(notADirectory, '');
    const { code } = await workflowBundle({ cacheDir: notADirectory, logger: quiet });
    expect(code).toContain('organizationWorkflow');
  }, 60_000);
});
