import { createHash } from 'node:crypto';

export function checkPassword(user, password) {
  return createHash('sha256').update(password).digest('hex') === user.hash;
}
