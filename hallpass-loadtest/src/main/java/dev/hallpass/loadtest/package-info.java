/**
 * A bounded load test of many simulated browsers against Hallpass over HTTP: the standalone server
 * (core driver interface, as a backend SDK calls it) and the demo (browser protocol, cookies as
 * {@code supertokens-website} handles them), each on PostgreSQL. Every browser keeps its own
 * session and follows a realistic mix (protected calls, refresh on expiry, two tabs refreshing at
 * once, lost refresh answers retried later, session-data updates read back, sign-out); the driver
 * checks every answer and fails on any 5xx, false theft verdict, lost session or lost update.
 * {@link dev.hallpass.loadtest.LoadMain} is the command line; nothing here is a library API.
 */
package dev.hallpass.loadtest;
