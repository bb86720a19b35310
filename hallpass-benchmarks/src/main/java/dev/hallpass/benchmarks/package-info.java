/** JMH benchmarks of Hallpass against bare JCA, nimbus-jose-jwt, jjwt and Spring Session. */
package dev.hallpass.benchmarks;
