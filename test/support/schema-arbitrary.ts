import fc from 'fast-check';

/**
 * A fast-check arbitrary of values a JSON Schema (as the API document has them: 2020-12, local `$ref`s)
 * allows, for the contract fuzz. Covers what the document uses: `type` (also as a list), `enum`, `const`,
 * string lengths (with an odd character now and then), `pattern` and the uuid/date-time formats, number bounds, arrays, objects with
 * `required` and `additionalProperties`, `anyOf`/`oneOf`. Depth-limited; unknown shapes give any JSON.
 */
export function arbitraryOf(schema: any, root: any, depth = 0): fc.Arbitrary<unknown> {
  if (schema === true || schema === undefined || depth > 6) return fc.jsonValue({ maxDepth: 1 });
  if (schema.$ref) return arbitraryOf(resolve(root, schema.$ref), root, depth + 1);
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((s: any) => arbitraryOf(s, root, depth + 1)));
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return schema.properties ? objectOf(schema, root, depth) : fc.jsonValue({ maxDepth: 1 });
  return fc.oneof(...types.map((type) => ofType(type, schema, root, depth)));
}

function ofType(type: string, schema: any, root: any, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000, noNaN: true });
    case 'string':
      return stringOf(schema);
    case 'array':
      return fc.array(arbitraryOf(schema.items, root, depth + 1), { maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object':
      return objectOf(schema, root, depth);
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/**
 * Characters valid in JSON that a careless or hostile client sends and no stored field may keep: unpaired
 * surrogates (PostgreSQL's jsonb refuses them), C0 and C1 controls, invisible format characters, a no-break space.
 */
export const ODD_CHARACTER = fc.constantFrom('\ud800', '\udfff', '\u0000', '\u0085', '\u200b', '\u202e', '\ufeff', '\u00a0');

/** `value` with `character` inserted at `at` (modulo its length + 1). */
export function insertAt(value: string, character: string, at: number): string {
  const index = at % (value.length + 1);
  return value.slice(0, index) + character + value.slice(index);
}

/** Now and then, one odd character somewhere in the string. */
const withOddCharacter = (strings: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 5, arbitrary: strings },
    { weight: 1, arbitrary: fc.tuple(strings, ODD_CHARACTER, fc.nat()).map(([value, odd, at]) => insertAt(value, odd, at)) },
  );

function stringOf(schema: any): fc.Arbitrary<string> {
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time')
    return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'idn-email' || schema.format === 'email') {
    return withOddCharacter(fc.tuple(fc.stringMatching(/^[a-z0-9.]{1,12}$/), fc.domain()).map(([local, domain]) => `${local}@${domain}`));
  }
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  return withOddCharacter(fc.string({ unit: 'grapheme', minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 80) }));
}

function objectOf(schema: any, root: any, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties: Record<string, any> = schema.properties ?? {};
  const required: string[] = schema.required ?? [];
  const record = fc.record(Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, arbitraryOf(s, root, depth + 1)])), {
    requiredKeys: required.filter((name) => name in properties),
  });
  if (schema.additionalProperties === false || !schema.additionalProperties) return record;
  return fc
    .tuple(record, fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), arbitraryOf(schema.additionalProperties, root, depth + 1), { maxKeys: 2 }))
    .map(([known, extra]) => ({ ...extra, ...known }));
}

function resolve(root: any, ref: string): any {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .reduce((node, part) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], root);
}
