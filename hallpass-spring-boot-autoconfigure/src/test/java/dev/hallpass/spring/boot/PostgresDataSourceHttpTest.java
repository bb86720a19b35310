package dev.hallpass.spring.boot;

import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractDataSourceHttpTest} on PostgreSQL ({@code HALLPASS_TEST_POSTGRES_URL}). */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    classes = AbstractDataSourceHttpTest.App.class)
class PostgresDataSourceHttpTest extends AbstractDataSourceHttpTest {

  @BeforeAll
  static void serverAnswers() {
    ServerDataSources.POSTGRES.require();
  }

  @DynamicPropertySource
  static void dataSource(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", ServerDataSources.POSTGRES::url);
  }
}
