import { checkPassword } from '../lib/passwords.js';
import { removed } from '../lib/removed.js';

export const stale = () => checkPassword && removed;
