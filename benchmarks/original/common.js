// What worker.js and http-app.js share: the library's configuration and the benchmark session.
"use strict";

// The same user, claims and session data as Hallpass's side (hallpass-benchmarks Fixtures).
const USER_ID = "bench-user-0001";
const JWT_PAYLOAD = { role: "admin", org: "acme" };
const SESSION_DATA = { theme: "dark", cartItems: 3 };

/** The library's init() argument: MariaDB from HP_ORIG_MYSQL_* (set by OriginalComparison). */
function libraryConfig() {
  const env = (name, fallback) => {
    const v = process.env[name];
    return v === undefined || v === "" ? fallback : v;
  };
  return {
    mysql: {
      host: env("HP_ORIG_MYSQL_HOST", "127.0.0.1"),
      port: Number(env("HP_ORIG_MYSQL_PORT", "3306")),
      user: env("HP_ORIG_MYSQL_USER", "root"),
      password: env("HP_ORIG_MYSQL_PASSWORD", ""),
      database: env("HP_ORIG_MYSQL_DATABASE", "hp_orig"),
      // The library's default (50), stated so that the report can quote it.
      connectionLimit: Number(env("HP_ORIG_MYSQL_POOL", "50")),
    },
    tokens: {
      // Defaults otherwise: HS256 access tokens for 1 h, anti-CSRF on, no blacklisting.
      refreshToken: { renewTokenPath: "/refresh" },
    },
    cookie: { domain: "127.0.0.1", secure: false },
    // The library logs nothing by default; keep it so (no tokens in any log).
    logging: { info: () => {}, error: () => {} },
  };
}

module.exports = { USER_ID, JWT_PAYLOAD, SESSION_DATA, libraryConfig };
