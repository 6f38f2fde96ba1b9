import { checkPassword } from '../lib/passwords.js';
import { notify } from '../lib/notify.js';

export async function login(user, password) {
  if (!checkPassword(user, password)) return { ok: false };
  await notify(user, 'new login');
  return { ok: true };
}
