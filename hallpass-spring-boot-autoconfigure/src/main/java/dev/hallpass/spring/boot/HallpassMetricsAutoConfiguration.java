package dev.hallpass.spring.boot;

import dev.hallpass.Hallpass;
import dev.hallpass.micrometer.HallpassMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Registers Hallpass's meters ({@link HallpassMetrics}: session counters and store-call timers) on
 * the application's {@link MeterRegistry} when hallpass-micrometer is on the class path and a
 * registry bean exists (Actuator makes one). The auto-configured engine gets the counting listener
 * and its store is wrapped in the timing decorator; the {@code SessionStore} bean itself stays
 * unwrapped.
 *
 * <p>Does nothing when the application defines its own {@link Hallpass} bean (it then adds {@code
 * HallpassMetrics.on(registry)} itself) or with {@code hallpass.metrics.enabled=false}.
 */
@AutoConfiguration(
    before = HallpassAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass({Hallpass.class, HallpassMetrics.class, MeterRegistry.class})
@ConditionalOnBooleanProperty(name = "hallpass.metrics.enabled", matchIfMissing = true)
@ConditionalOnBean(MeterRegistry.class)
// Evaluated before HallpassAutoConfiguration adds its engine: only an application's bean counts.
@ConditionalOnMissingBean(Hallpass.class)
public class HallpassMetricsAutoConfiguration {

  /** Creates the auto-configuration (Spring calls this). */
  public HallpassMetricsAutoConfiguration() {}

  /** The meters, registered (at zero) when the context starts. */
  @Bean
  @ConditionalOnMissingBean
  HallpassMetrics hallpassMetrics(MeterRegistry registry) {
    return HallpassMetrics.on(registry);
  }

  @Bean
  HallpassBuilderCustomizer hallpassMetricsListener(HallpassMetrics metrics) {
    return b -> b.listener(metrics.listener());
  }

  @Bean
  SessionStoreDecorator hallpassMetricsStoreTimer(HallpassMetrics metrics) {
    return metrics::timed;
  }
}
