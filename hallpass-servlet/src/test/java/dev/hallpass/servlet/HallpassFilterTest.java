package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.Hallpass;
import dev.hallpass.SessionStores;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The filter as a container instantiates it by class name (web.xml). */
class HallpassFilterTest {

  private Server server;
  private ServerConnector connector;

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  /** Starts Jetty with the filter declared by class name. */
  private void start(HallpassWeb webInContext) throws Exception {
    server = new Server();
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    if (webInContext != null) {
      context.setAttribute(HallpassFilter.CONTEXT_ATTRIBUTE, webInContext);
    }
    context.addFilter(HallpassFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
  }

  @Test
  void noArgumentFilter_takesTheWebLayerFromTheServletContext() throws Exception {
    try (Hallpass engine =
        Hallpass.builder().store(SessionStores.inMemory()).disableBackgroundCleanup().build()) {
      start(HallpassWeb.builder(engine).build());
      HttpRequest post =
          HttpRequest.newBuilder(
                  URI.create(
                      "http://127.0.0.1:" + connector.getLocalPort() + "/auth/session/refresh"))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build();
      HttpResponse<String> r =
          HttpClient.newHttpClient().send(post, HttpResponse.BodyHandlers.ofString());

      // The filter answered the refresh call (which carried no token).
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).isEqualTo("{\"message\":\"unauthorised\"}");
    }
  }

  @Test
  void noArgumentFilter_withoutAWebLayer_failsTheStart() {
    assertThatThrownBy(() -> start(null))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining(HallpassFilter.CONTEXT_ATTRIBUTE);
  }
}
