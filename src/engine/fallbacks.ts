import { contentText, type GenerateRequest } from '../model/message.js';
import type { FallbackFunction } from './config/config-schema.js';

/**
 * A fixed fallback answer.
 * @example features: { summary: { tier: 'enhanced', route: [...], fallback: textFallback('Summary unavailable') } }
 */
export function textFallback(text: string): FallbackFunction {
  return () => text;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
/** ICU splits after titles and initials ("Dr. Smith", "J. Doe"); these never end a sentence. */
const NOT_AN_END = /(?:^|\s)(?:Dr|Mr|Mrs|Ms|Prof|Sr|Jr|St|Mt|vs|e\.g|i\.e|[A-Z])\.$/;

/** The text a summary request is about: the last user message, minus a leading "Summarize…:" line. */
function subjectText(request: GenerateRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message?.role !== 'user') continue;
    const text = contentText(message.content).trim();
    const instruction = /^[^\n]{0,200}?:\s*\n/.exec(text);
    return instruction ? text.slice(instruction[0].length).trim() : text;
  }
  return '';
}

/**
 * Built-in extractive summary: the first `n` sentences of the text being summarised (the last user
 * message, without an instruction line ending in a colon). A production-grade degraded answer for
 * summary features when every provider is down.
 * @example fallback: leadSentences(2)
 */
export function leadSentences(n: number): FallbackFunction {
  return (request) => {
    const text = subjectText(request);
    const sentences: string[] = [];
    let pending = '';
    for (const { segment } of segmenter.segment(text)) {
      pending += segment;
      const sentence = pending.trim();
      if (sentence === '' || NOT_AN_END.test(sentence)) continue;
      sentences.push(sentence);
      pending = '';
      if (sentences.length >= n) return sentences.join(' ');
    }
    if (pending.trim() !== '') sentences.push(pending.trim());
    return sentences.join(' ');
  };
}
