import Anthropic from '@anthropic-ai/sdk';

export async function summarize(rows) {
  const message = await new Anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 200, messages: [{ role: 'user', content: JSON.stringify(rows) }] });
  return message.content;
}
