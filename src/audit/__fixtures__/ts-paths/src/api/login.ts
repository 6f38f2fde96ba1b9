// @ts-nocheck: a fixture project for the audit, resolved with its own tsconfig.json, not the repository's.
import { sessionFor } from '@lib/session.js';
import { notifyLogin } from '@lib/notify.js';

export async function login(user: { id: string; email: string }): Promise<string> {
  await notifyLogin(user.email);
  return sessionFor(user.id);
}
