/**
 * JMH benchmarks of Hallpass against bare JCA, nimbus-jose-jwt, jjwt and Spring Session, and the
 * side-by-side comparison with the original SuperTokens library ({@link
 * dev.hallpass.benchmarks.OriginalComparison}).
 */
package dev.hallpass.benchmarks;
