package dev.hallpass.spring.boot;

import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code hallpass.cors.allowed-origins} lists at least one origin, in any form
 * (comma-separated, or indexed as YAML lists give it: {@code allowed-origins[0]}), which
 * {@code @ConditionalOnProperty} would not see.
 */
final class OnCorsOriginsCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    List<String> origins =
        Binder.get(context.getEnvironment())
            .bind("hallpass.cors.allowed-origins", Bindable.listOf(String.class))
            .orElse(List.of());
    return origins.isEmpty()
        ? ConditionOutcome.noMatch("hallpass.cors.allowed-origins is empty")
        : ConditionOutcome.match("hallpass.cors.allowed-origins lists " + origins.size());
  }
}
