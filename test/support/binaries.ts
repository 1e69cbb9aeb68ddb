import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const SBIN = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

/** A Debian-packaged program the tests run as a real part; a missing one fails with the package to install. */
export function findBinary(name: string, debianPackage: string): string {
  for (const dir of SBIN) if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  const which = spawnSync('which', [name], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error(`"${name}" is not installed: run "apt-get install -y ${debianPackage}" (Debian package ${debianPackage}).`);
}
