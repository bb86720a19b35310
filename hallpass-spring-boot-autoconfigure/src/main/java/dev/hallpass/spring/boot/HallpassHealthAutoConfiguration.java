package dev.hallpass.spring.boot;

import dev.hallpass.Hallpass;
import dev.hallpass.spi.SessionStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configures the {@code hallpass} health contributor when Spring Boot's health support
 * (Actuator) is on the class path: up when the session store answers and the engine has its signing
 * keys. Turn it off with {@code management.health.hallpass.enabled=false}.
 */
@AutoConfiguration(after = HallpassAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Hallpass.class)
public class HallpassHealthAutoConfiguration {

  /** Creates the auto-configuration (Spring calls this). */
  public HallpassHealthAutoConfiguration() {}

  /**
   * Nested: its condition's class exists only with spring-boot-health, which the outer condition
   * checks first.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnEnabledHealthIndicator("hallpass")
  static class Indicator {
    @Bean
    @ConditionalOnMissingBean(name = "hallpassHealthIndicator")
    HealthIndicator hallpassHealthIndicator(Hallpass hallpass, ObjectProvider<SessionStore> store) {
      return new HallpassHealthIndicator(hallpass, store.getIfUnique());
    }
  }
}
