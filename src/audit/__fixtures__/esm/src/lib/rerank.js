import { generateText } from 'ai';

export async function rerank(query, hits) {
  return (await generateText({ prompt: `${query}: ${hits.join(', ')}` })).text;
}
