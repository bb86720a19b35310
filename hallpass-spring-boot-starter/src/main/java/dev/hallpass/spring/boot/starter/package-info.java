/**
 * The Hallpass Spring Boot starter has no code of its own: it brings {@code
 * hallpass-spring-boot-autoconfigure} (see {@code dev.hallpass.spring.boot}), {@code
 * hallpass-servlet} and {@code hallpass-jdbc}. This package exists so that the starter, like every
 * published module, has a sources and a javadoc jar.
 */
package dev.hallpass.spring.boot.starter;
