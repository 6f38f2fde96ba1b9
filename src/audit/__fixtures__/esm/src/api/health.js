import { checkPassword } from '../lib/passwords.js';
import { fakeModel } from 'failsoft/testing';

export const health = () => ({ ok: typeof checkPassword === 'function', fake: fakeModel });
