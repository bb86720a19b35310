package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A real application start with a bad {@code hallpass.*} value: it fails, and Spring Boot's
 * "APPLICATION FAILED TO START" report (our failure analyzer, registered in spring.factories) names
 * the property and the reason.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureReportTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @TempDir Path dir;

  @Test
  void invalidProperty_stopsTheApplication_withAReportNamingIt(CapturedOutput output) {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(App.class)
                    .web(WebApplicationType.NONE)
                    .properties(
                        "hallpass.store.embedded-directory=" + dir,
                        "spring.autoconfigure.exclude="
                            + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                        "hallpass.access-token-validity=1500ms")
                    .run())
        .hasRootCauseInstanceOf(IllegalArgumentException.class);

    assertThat(output.toString())
        .contains("APPLICATION FAILED TO START")
        .contains("Invalid Hallpass property hallpass.access-token-validity")
        .contains("accessTokenValidity must be a whole number of seconds")
        .contains("Change hallpass.access-token-validity");
  }

  @Test
  void unparsableProperty_isReportedBySpringBoot_withItsName(CapturedOutput output) {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(App.class)
                    .web(WebApplicationType.NONE)
                    .properties(
                        "hallpass.store.embedded-directory=" + dir, "hallpass.anti-csrf=sometimes")
                    .run())
        .isNotNull();

    assertThat(output.toString())
        .contains("APPLICATION FAILED TO START")
        .contains("hallpass.anti-csrf");
  }
}
