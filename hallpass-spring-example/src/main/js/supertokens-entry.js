// The browser bundle's entry: exposes supertokens-website as the global `supertokens`.
module.exports = require("supertokens-website");
