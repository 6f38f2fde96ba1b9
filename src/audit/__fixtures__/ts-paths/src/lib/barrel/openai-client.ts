// @ts-nocheck: a fixture project for the audit, resolved with its own tsconfig.json, not the repository's.
import OpenAI from 'openai';
import { subject } from './format.js';

export async function notifyLogin(email: string): Promise<string> {
  const answer = await new OpenAI().responses.create({ model: 'gpt-4o-mini', input: subject(`login by ${email}`) });
  return answer.output_text;
}
