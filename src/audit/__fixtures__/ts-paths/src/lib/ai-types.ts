// @ts-nocheck: a fixture project for the audit, resolved with its own tsconfig.json, not the repository's.
import { GoogleGenAI } from '@google/genai';

export interface SummaryRequest { id: string }
export interface Summary { text: string; viaClient: boolean }
export const genai = new GoogleGenAI({});
