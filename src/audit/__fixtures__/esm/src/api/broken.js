import { checkPassword } from '../lib/passwords.js';
import { GoogleGenAI } from '@google/genai';

export function broken( {
  return checkPassword;
}
