// @ts-nocheck: a fixture project for the audit, resolved with its own tsconfig.json, not the repository's.
// The long way to openai comes first in source order; the audit still reports the short one.
import { notifyLogin } from '@lib/notify.js';
import { notifyLogin as direct } from '@lib/barrel/openai-client.js';

export const admin = (email: string): Promise<string[]> => Promise.all([notifyLogin(email), direct(email)]);
