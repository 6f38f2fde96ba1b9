// @ts-nocheck: a fixture project for the audit, resolved with its own tsconfig.json, not the repository's.
export { notifyLogin } from './barrel/index.js';
