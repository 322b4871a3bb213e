package io.traceharness.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.traceharness.support.Ports;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Port choices and the check that runs before anything of the stack starts. */
class StackPortsTest {

  @Test
  void wellKnownPortsAreMovedOneByOneWithSystemProperties() {
    Properties p = new Properties();
    p.setProperty("traceharness.elasticsearch.port", "19200");
    p.setProperty("traceharness.otlpGrpc.port", "0");
    p.setProperty("traceharness.lambda.port", "");
    assertThat(StackPorts.wellKnown().overriddenBy(p)).isEqualTo(new StackPorts(19200, 8200, 0, 4318, 3000, 3001));
    assertThat(StackPorts.wellKnown().overriddenBy(new Properties())).isEqualTo(StackPorts.wellKnown());
    assertThat(StackPorts.free()).isEqualTo(new StackPorts(0, 0, 0, 0, 0, 0));
  }

  @Test
  void aValueThatIsNotAPortNamesItsProperty() {
    Properties p = new Properties();
    p.setProperty("traceharness.apmServer.port", "eighty");
    assertThatThrownBy(() -> StackPorts.wellKnown().overriddenBy(p)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("-Dtraceharness.apmServer.port=eighty is not a port: give 1 to 65535, or 0 for any free port");
    p.setProperty("traceharness.apmServer.port", "70000");
    assertThatThrownBy(() -> StackPorts.wellKnown().overriddenBy(p)).hasMessageContaining("70000 is not a port");
  }

  @Test
  void twoComponentsOnOnePortAreRefused() {
    int port = Ports.free();
    assertThatThrownBy(() -> new StackPorts(0, port, 0, 0, port, 0).checkAvailable())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("API Gateway and APM Server are both given port " + port
            + " (-Dtraceharness.apiGateway.port, -Dtraceharness.apmServer.port)");
  }

  /**
   * A taken port fails the start at once, naming the component, the port and the property, and
   * every other taken port with it; nothing was started: no child process, the other ports still free.
   */
  @Test
  void aTakenPortStopsTheStackBeforeAnythingStarts() throws Exception {
    try (ServerSocket apmTaken = listen(); ServerSocket gatewayTaken = listen()) {
      int es = Ports.free();
      int grpc = Ports.free();
      int http = Ports.free();
      int lambda = Ports.free();
      StackPorts ports = new StackPorts(es, apmTaken.getLocalPort(), grpc, http, gatewayTaken.getLocalPort(), lambda);
      List<ProcessHandle> childrenBefore = ProcessHandle.current().children().toList();
      long t0 = System.nanoTime();
      EmbeddedStack stack = EmbeddedStack.builder().ports(ports).build();

      assertThatThrownBy(stack::start).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("The embedded stack was not started, its ports are not free:")
          .hasMessageContaining("APM Server cannot listen on port " + apmTaken.getLocalPort()
              + ": another process is using it. Stop that process, or choose another port with "
              + "-Dtraceharness.apmServer.port=PORT (0 = any free port)")
          .hasMessageContaining("API Gateway cannot listen on port " + gatewayTaken.getLocalPort())
          .hasMessageContaining("-Dtraceharness.apiGateway.port=PORT")
          .hasMessageNotContaining("Elasticsearch");

      assertThat((System.nanoTime() - t0) / 1_000_000).as("ms: refused before Elasticsearch started").isLessThan(5_000);
      assertThat(ProcessHandle.current().children().toList()).as("child processes").isEqualTo(childrenBefore);
      for (int port : new int[] {es, grpc, http, lambda}) {
        assertThat(Ports.isListening(port)).as("port %d", port).isFalse();
      }
      assertThat(stack.logs()).as("no component was started").isEmpty();
      stack.close();
    }
  }

  private static ServerSocket listen() throws Exception {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return s;
  }
}
