/** A domain name of exactly `length` characters: labels of `a` (at most 63 each) in front of `suffix`. */
export function domainNameOfLength(length: number, suffix = '.example.com'): string {
  const labels: string[] = [];
  let left = length - suffix.length;
  while (left > 0) {
    const size = Math.min(63, left - (labels.length ? 1 : 0));
    labels.push('a'.repeat(size));
    left -= size + (labels.length > 1 ? 1 : 0);
  }
  const name = `${labels.join('.')}${suffix}`;
  if (name.length !== length) throw new Error(`no name of ${length} characters ends in ${suffix}`);
  return name;
}
