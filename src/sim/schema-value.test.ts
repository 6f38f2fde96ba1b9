import { describe, expect, it } from 'vitest';
import { objectFromSchema, valueFromSchema } from './schema-value.js';

const order = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    status: { type: 'string', enum: ['open', 'closed'] },
    paid: { type: 'boolean' },
    customer: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        address: {
          type: 'object',
          properties: { city: { type: 'string' }, zip: { type: 'number' } },
          required: ['city', 'zip'],
        },
      },
      required: ['name', 'address'],
    },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sku: { type: 'string' }, quantity: { type: 'integer' } },
        required: ['sku', 'quantity'],
      },
    },
    tags: { type: 'array' },
    note: { type: ['string', 'null'] },
  },
  required: ['id', 'status', 'paid', 'customer', 'lines', 'tags', 'note'],
  additionalProperties: false,
};

describe('valueFromSchema', () => {
  it('fills nested objects recursively, gives arrays with items one element, and takes the first enum value', () => {
    expect(valueFromSchema(order, '  Ship it  ')).toEqual({
      id: 1,
      status: 'open',
      paid: true,
      customer: { name: 'Ship it', address: { city: 'Ship it', zip: 1 } },
      lines: [{ sku: 'Ship it', quantity: 1 }],
      tags: [],
      note: 'Ship it',
    });
  });

  it("reads Gemini's OpenAPI-style schema with upper-case types and keeps its propertyOrdering", () => {
    const schema = {
      type: 'OBJECT',
      properties: {
        score: { type: 'NUMBER' },
        title: { type: 'STRING' },
        items: {
          type: 'ARRAY',
          items: { type: 'OBJECT', properties: { ok: { type: 'BOOLEAN' }, n: { type: 'INTEGER' } } },
          minItems: '2',
        },
        mood: { type: 'STRING', format: 'enum', enum: ['happy', 'sad'] },
      },
      propertyOrdering: ['title', 'mood', 'items', 'score'],
    };
    const value = valueFromSchema(schema, 'Hello');
    expect(value).toEqual({
      title: 'Hello',
      mood: 'happy',
      items: [
        { ok: true, n: 1 },
        { ok: true, n: 1 },
      ],
      score: 1,
    });
    expect(Object.keys(value as object)).toEqual(['title', 'mood', 'items', 'score']);
  });

  it('follows local $refs, takes the first non-null anyOf branch and merges allOf', () => {
    const schema = {
      type: 'object',
      properties: {
        owner: { $ref: '#/$defs/person' },
        maybe: { anyOf: [{ type: 'null' }, { type: 'integer' }] },
        both: {
          allOf: [
            { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
            { properties: { b: { type: 'boolean' } }, required: ['b'] },
          ],
        },
      },
      required: ['owner', 'maybe', 'both'],
      $defs: { person: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
    };
    expect(valueFromSchema(schema, 'x')).toEqual({ owner: { name: 'x' }, maybe: 1, both: { a: 'x', b: true } });
  });

  it('ends recursive schemas with empty values instead of looping', () => {
    const tree = {
      $ref: '#/$defs/node',
      $defs: {
        node: {
          type: 'object',
          properties: { children: { type: 'array', items: { $ref: '#/$defs/node' } } },
          required: ['children'],
        },
      },
    };
    const text = JSON.stringify(valueFromSchema(tree, 'x'));
    expect(text.length).toBeLessThan(400);
    expect(text.startsWith('{"children":[{"children":[')).toBe(true);
  });

  it('keeps numbers inside minimum and maximum, and uses const', () => {
    expect(valueFromSchema({ type: 'integer', minimum: 3 }, '')).toBe(3);
    expect(valueFromSchema({ type: 'number', exclusiveMaximum: 0 }, '')).toBe(-1);
    expect(valueFromSchema({ type: 'integer', minimum: 1.5 }, '')).toBe(2);
    expect(valueFromSchema({ const: 'fixed' }, '')).toBe('fixed');
  });

  it('builds scalars and arrays at the root', () => {
    expect(valueFromSchema({ type: 'STRING' }, '')).toBe('example');
    expect(valueFromSchema({ type: 'array', items: { type: 'integer' }, maxItems: 0 }, '')).toEqual([]);
    expect(valueFromSchema({ items: { type: 'boolean' } }, '')).toEqual([true]);
  });
});

describe('objectFromSchema', () => {
  it('fills only the required properties when some are required', () => {
    expect(
      objectFromSchema({ properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['b'] }, 'p'),
    ).toEqual({ b: 1 });
  });

  it('gives an empty object for a missing or non-object schema', () => {
    expect(objectFromSchema(undefined, 'p')).toEqual({});
    expect(objectFromSchema({ type: 'string' }, 'p')).toEqual({});
  });
});
