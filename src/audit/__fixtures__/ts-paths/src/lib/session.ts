// @ts-nocheck: a fixture project for the audit, resolved with its own tsconfig.json, not the repository's.
import { randomUUID } from 'node:crypto';

export const sessionFor = (id: string): string => `${id}:${randomUUID()}`;
