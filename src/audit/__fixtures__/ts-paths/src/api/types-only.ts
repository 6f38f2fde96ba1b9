// @ts-nocheck: a fixture project for the audit, resolved with its own tsconfig.json, not the repository's.
import type OpenAI from 'openai';
import { type Summary, type SummaryRequest } from '@lib/ai-types.js';
export type { Summary } from '@lib/ai-types.js';
import { sessionFor } from '@lib/session.js';

export function describe(request: SummaryRequest, client?: OpenAI): Summary {
  return { text: sessionFor(request.id), viaClient: client !== undefined };
}
