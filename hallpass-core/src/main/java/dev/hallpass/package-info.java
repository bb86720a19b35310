/**
 * The Hallpass session API: {@link dev.hallpass.Hallpass} (built once with {@link
 * dev.hallpass.Hallpass#builder()}), the {@link dev.hallpass.Session} it verifies, creates and
 * refreshes, and {@link dev.hallpass.HallpassException} with its four types.
 *
 * <p>Everything else in this package is the engine, package-private: the builder is the one way in,
 * and every setting it accepts has been checked.
 */
package dev.hallpass;
