/**
 * Hallpass's Micrometer meters: {@code dev.hallpass.micrometer.HallpassMetrics}. Optional: the core
 * never needs Micrometer.
 */
@SuppressWarnings({
  "requires-automatic",
  "requires-transitive-automatic"
}) // micrometer-core is an automatic module (micrometer.core)
module dev.hallpass.micrometer {
  requires transitive dev.hallpass.core;
  requires transitive micrometer.core;

  exports dev.hallpass.micrometer;
}
