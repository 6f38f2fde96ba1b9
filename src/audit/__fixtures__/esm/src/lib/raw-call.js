// Calls the API directly, without an SDK: still an AI dependency.
export async function describeCharge(amount) {
  const response = await fetch(`https://api.openai.com/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Describe a charge of ${amount}` }] }),
  });
  return (await response.json()).choices[0].message.content;
}
