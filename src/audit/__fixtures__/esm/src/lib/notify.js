import OpenAI from 'openai';

const client = new OpenAI();

export async function notify(user, event) {
  const text = await client.responses.create({ model: 'gpt-4o-mini', input: `Write a short notice: ${event}` });
  return { to: user.email, text: text.output_text };
}
