/**
 * A true/false environment setting: `true` or `false`; empty or unset is undefined (the caller's default).
 * Anything else (`1`, `yes`) is refused at start, naming the variable, rather than read as false.
 */
export function booleanSetting(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`${name}: "${value}" is not true or false`);
}
