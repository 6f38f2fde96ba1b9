const { audit } = require('./audit-log');
const { sendMail } = require('./mailer.cjs');

module.exports.login = function login(user) {
  audit('login', user);
  return sendMail(user.email, 'New login');
};
