const fs = require('fs');

module.exports.audit = (event, user) => fs.appendFileSync('/tmp/audit.log', `${event} ${user.id}\n`);
