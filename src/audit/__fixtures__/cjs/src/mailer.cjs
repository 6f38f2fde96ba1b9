const path = require('node:path');

function sendMail(to, subject) {
  // Loaded lazily, but loaded all the same.
  const Groq = require('groq-sdk');
  return new Groq().chat.completions.create({ model: 'llama-3.1-8b-instant', messages: [{ role: 'user', content: `${subject} for ${to} ${path.sep}` }] });
}

module.exports = { sendMail };
