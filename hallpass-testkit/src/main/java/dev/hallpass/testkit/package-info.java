/**
 * Tests every {@link dev.hallpass.spi.SessionStore} runs: the store compatibility kit ({@link
 * dev.hallpass.testkit.SessionStoreCompatibilityKit}, calling the store directly) and the
 * engine-on-store set ({@link dev.hallpass.testkit.EngineOnStoreKit}: the refresh rotation
 * scenarios, races and two engines sharing one database), with a movable test clock.
 */
package dev.hallpass.testkit;
