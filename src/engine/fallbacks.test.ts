import { describe, expect, it } from 'vitest';
import { leadSentences, textFallback } from './fallbacks.js';

describe('fallbacks', () => {
  it('leadSentences takes the first n sentences of the text being summarised', async () => {
    const fallback = leadSentences(2);
    const answer = await fallback({
      messages: [
        {
          role: 'user',
          content:
            'Summarize the following article:\nDr. Smith arrived at 9 a.m. on Monday. The plant was closed. Workers waited outside. Nobody knew why.',
        },
      ],
    });
    expect(answer).toBe('Dr. Smith arrived at 9 a.m. on Monday. The plant was closed.');
  });

  it('leadSentences uses the last user message and tolerates short texts', async () => {
    const fallback = leadSentences(3);
    const answer = await fallback({
      messages: [
        { role: 'user', content: 'First text. Ignored.' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'Only one sentence here' }] },
      ],
    });
    expect(answer).toBe('Only one sentence here');
  });

  it('textFallback returns its text', async () => {
    expect(await textFallback('Auto-summary unavailable')({ messages: [] })).toBe('Auto-summary unavailable');
  });
});
