/**
 * Hallpass for Jakarta Servlet 6 containers, compatible with the SuperTokens frontend SDKs ({@code
 * supertokens-website} 20.x, {@code supertokens-web-js}).
 *
 * <p>Start with {@link dev.hallpass.servlet.HallpassWeb#builder}; register {@link
 * dev.hallpass.servlet.HallpassFilter} (and {@link dev.hallpass.servlet.HallpassCorsFilter} when
 * the website is on another origin).
 */
package dev.hallpass.servlet;
