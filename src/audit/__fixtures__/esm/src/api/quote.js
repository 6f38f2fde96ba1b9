import { createFailsoft } from 'failsoft';

const ai = createFailsoft({ features: { quote: { tier: 'enhanced', route: ['openai/gpt-4o-mini'] } } });
export const quote = (text) => ai.generate('quote', { messages: [{ role: 'user', content: text }] });
