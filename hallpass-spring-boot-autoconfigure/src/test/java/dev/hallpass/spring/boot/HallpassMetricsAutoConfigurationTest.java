package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.Hallpass;
import dev.hallpass.SessionStores;
import dev.hallpass.micrometer.HallpassMetrics;
import dev.hallpass.spi.SessionStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * When the auto-configuration registers Hallpass's meters, and when it leaves them out: without
 * hallpass-micrometer or a MeterRegistry, with {@code hallpass.metrics.enabled=false}, or with the
 * application's own engine. Contexts here start no web server ({@link MetricsHttpTest} drives the
 * counters over HTTP).
 */
class HallpassMetricsAutoConfigurationTest {

  private static final AutoConfigurations HALLPASS =
      AutoConfigurations.of(
          HallpassAutoConfiguration.class,
          HallpassHealthAutoConfiguration.class,
          HallpassMetricsAutoConfiguration.class);

  /** Spring Boot's own registry set-up (as Actuator brings it). */
  private static final AutoConfigurations BOOT_METRICS =
      AutoConfigurations.of(
          org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration.class,
          org.springframework.boot.micrometer.metrics.autoconfigure
              .CompositeMeterRegistryAutoConfiguration.class,
          org.springframework.boot.micrometer.metrics.autoconfigure.export.simple
              .SimpleMetricsExportAutoConfiguration.class);

  private final SessionStore appStore = SessionStores.inMemory();

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(HALLPASS)
        .withBean(SessionStore.class, () -> appStore)
        .withBean(HallpassBuilderCustomizer.class, () -> b -> b.disableBackgroundCleanup());
  }

  @Test
  void withARegistryBean_countsEngineEvents_andTimesTheEnginesStore_butLeavesTheStoreBean() {
    runner()
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed().hasSingleBean(HallpassMetrics.class);
              MeterRegistry registry = ctx.getBean(MeterRegistry.class);
              assertThat(registry.get(HallpassMetrics.CREATED).counter().count()).isZero();

              ctx.getBean(Hallpass.class).createNewSession("alice", null, null);

              assertThat(registry.get(HallpassMetrics.CREATED).counter().count()).isEqualTo(1);
              assertThat(
                      registry
                          .get(HallpassMetrics.STORE_CALLS)
                          .tag("operation", "insertSession")
                          .tag("outcome", "success")
                          .timer()
                          .count())
                  .isEqualTo(1);
              assertThat(ctx.getBean(SessionStore.class)).isSameAs(appStore);
            });
  }

  @Test
  void withSpringBootsMetricsAutoConfiguration_registersOnItsRegistry() {
    runner()
        .withConfiguration(BOOT_METRICS)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed().hasSingleBean(HallpassMetrics.class);
              ctx.getBean(Hallpass.class).createNewSession("bob", null, null);
              assertThat(
                      ctx.getBean(MeterRegistry.class)
                          .get(HallpassMetrics.CREATED)
                          .counter()
                          .count())
                  .isEqualTo(1);
            });
  }

  @Test
  void withoutHallpassMicrometer_startsWithoutTheMeters() {
    runner()
        .withClassLoader(new FilteredClassLoader(HallpassMetrics.class))
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed().hasSingleBean(Hallpass.class);
              assertThat(ctx).doesNotHaveBean("hallpassMetrics");
              assertThat(ctx).doesNotHaveBean("hallpassMetricsListener");
              assertThat(ctx).doesNotHaveBean(SessionStoreDecorator.class);
              assertThat(ctx.getBean(MeterRegistry.class).find(HallpassMetrics.CREATED).meter())
                  .isNull();
            });
  }

  @Test
  void withoutMicrometer_startsWithoutTheMeters() {
    runner()
        .withClassLoader(new FilteredClassLoader("io.micrometer", "dev.hallpass.micrometer"))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed().hasSingleBean(Hallpass.class);
              assertThat(ctx).doesNotHaveBean("hallpassMetrics");
              assertThat(ctx).doesNotHaveBean(SessionStoreDecorator.class);
              ctx.getBean(Hallpass.class).createNewSession("carol", null, null);
            });
  }

  @Test
  void withoutARegistryBean_startsWithoutTheMeters() {
    runner()
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed().hasSingleBean(Hallpass.class);
              assertThat(ctx).doesNotHaveBean(HallpassMetrics.class);
              assertThat(ctx).doesNotHaveBean(SessionStoreDecorator.class);
            });
  }

  @Test
  void metricsDisabledByProperty_registersNoMeters() {
    runner()
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("hallpass.metrics.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed().hasSingleBean(Hallpass.class);
              assertThat(ctx).doesNotHaveBean(HallpassMetrics.class);
              assertThat(ctx).doesNotHaveBean(SessionStoreDecorator.class);
              ctx.getBean(Hallpass.class).createNewSession("dave", null, null);
              assertThat(ctx.getBean(MeterRegistry.class).find(HallpassMetrics.CREATED).meter())
                  .isNull();
              assertThat(ctx.getBean(MeterRegistry.class).find(HallpassMetrics.STORE_CALLS).meter())
                  .isNull();
            });
  }

  @Test
  void applicationsOwnEngine_getsNoMetersFromTheAutoConfiguration() {
    Hallpass own = Hallpass.builder().store(appStore).disableBackgroundCleanup().build();
    runner()
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(Hallpass.class, () -> own)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx.getBean(Hallpass.class)).isSameAs(own);
              assertThat(ctx).doesNotHaveBean(HallpassMetrics.class);
              assertThat(ctx.getBean(MeterRegistry.class).find(HallpassMetrics.CREATED).meter())
                  .isNull();
            });
  }
}
