/**
 * The standalone Hallpass server: the SuperTokens core driver interface over the Hallpass engine,
 * for the SuperTokens backend SDKs. Run from the command line; nothing here is a library API.
 */
package dev.hallpass.server;
