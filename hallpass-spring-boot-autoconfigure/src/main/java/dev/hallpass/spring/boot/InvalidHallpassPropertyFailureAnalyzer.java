package dev.hallpass.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a refused {@code hallpass.*} value into the start-up failure report. */
final class InvalidHallpassPropertyFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidHallpassPropertyException> {

  @Override
  protected FailureAnalysis analyze(Throwable root, InvalidHallpassPropertyException cause) {
    boolean one = cause.properties().size() == 1;
    String names = String.join(", ", cause.properties());
    String description =
        (one ? "Invalid Hallpass property " + names : "Conflicting Hallpass properties " + names)
            + ":\n\n    "
            + cause.reason();
    String action =
        one
            ? "Change " + names + " in your application's configuration."
            : "Change one of "
                + names
                + " in your application's configuration (or the "
                + "HallpassBuilderCustomizer / HallpassWebBuilderCustomizer that sets it).";
    return new FailureAnalysis(description, action, cause);
  }
}
