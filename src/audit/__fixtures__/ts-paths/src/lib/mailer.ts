// @ts-nocheck: a fixture project for the audit, resolved with its own tsconfig.json, not the repository's.
import { GoogleGenAI } from '@google/genai';

export async function welcome(email: string): Promise<string> {
  const answer = await new GoogleGenAI({}).models.generateContent({ model: 'gemini-2.5-flash', contents: `Welcome ${email}` });
  return answer.text ?? '';
}
