package io.traceharness.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.junit.TracingStackTest;
import io.traceharness.resilience.LeftBehindProcesses.Proc;
import io.traceharness.resilience.SecurityListeners.Listener;
import io.traceharness.scenario.BlogScenario;
import io.traceharness.stack.Endpoints;
import io.traceharness.stack.TracingStack;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every server the stack starts binds loopback: checked from the listening sockets of this JVM
 * (APM Server, the collectors, the Lambda API, each execution environment's Runtime API, API
 * Gateway) and of its child processes (Elasticsearch's HTTP and transport ports, the runtimes),
 * found by socket inode in {@code /proc/<pid>/fd} and {@code /proc/net/tcp{,6}}.
 *
 * <p>The post's functions run with their layer collector, whose configuration asks for
 * {@code 0.0.0.0:4317} and {@code 0.0.0.0:4318} as the real collector's defaults do; those bind
 * loopback here too, because nothing outside this machine may reach a function's sandbox.
 */
@TracingStackTest
class SecurityLoopbackIT {

  @Test
  void everyServerOfTheStackListensOnLoopbackOnly(TracingStack stack) throws Exception {
    Assumptions.assumeTrue(stack.backend().equals("embedded"), "the containers stack binds what Docker publishes");
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc");
    BlogScenario.Functions functions = BlogScenario.builder(stack).suffix("-sec-loopback").build().deploy();
    HttpResponse<String> produced = HttpClient.newHttpClient().send(HttpRequest.newBuilder(functions.producer().url())
        .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString("{}"))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(produced.statusCode()).as("producer → consumer through API Gateway: " + produced.body()).isEqualTo(200);

    long self = ProcessHandle.current().pid();
    List<Proc> processes = LeftBehindProcesses.tree(self, LeftBehindProcesses.all());
    Map<Long, List<Listener>> listening = SecurityListeners.ownedBy(processes.stream().map(Proc::pid).toList());
    Map<Integer, String> roles = roles(stack.endpoints());

    long elasticsearchPid = listening.entrySet().stream()
        .filter(e -> e.getValue().stream().anyMatch(l -> l.port() == stack.endpoints().elasticsearch().getPort()))
        .map(Map.Entry::getKey).findFirst().orElse(-1L);
    print(processes, listening, roles, elasticsearchPid);

    List<String> all = new ArrayList<>();
    listening.forEach((pid, ls) -> ls.forEach(l -> all.add(pid + " " + l.hostPort())));
    List<String> exposed = new ArrayList<>();
    listening.forEach((pid, ls) -> ls.stream().filter(l -> !l.loopback()).forEach(l -> exposed.add(pid + " "
        + name(processes, pid) + " " + l.hostPort())));
    Set<Integer> ports = listening.values().stream().flatMap(List::stream).map(Listener::port)
        .collect(Collectors.toCollection(TreeSet::new));

    assertThat(ports).as("the listening sockets found include every endpoint of the stack (else we looked in the "
        + "wrong place): " + all).containsAll(roles.keySet());
    assertThat(elasticsearchPid).as("Elasticsearch's HTTP port is held by a child process").isNotEqualTo(self)
        .isPositive();
    assertThat(listening.get(elasticsearchPid)).as("Elasticsearch listens for HTTP and transport")
        .extracting(Listener::port).hasSizeGreaterThanOrEqualTo(2);
    assertThat(exposed).as("listening sockets not bound to loopback").isEmpty();
  }

  private static Map<Integer, String> roles(Endpoints e) {
    Map<Integer, String> roles = new LinkedHashMap<>();
    roles.put(e.elasticsearch().getPort(), "Elasticsearch HTTP");
    roles.put(e.apmServer().getPort(), "APM Server");
    roles.put(e.otlpHttp().getPort(), "collector OTLP/HTTP");
    roles.put(e.otlpGrpc().getPort(), "collector OTLP/gRPC");
    roles.put(e.lambda().getPort(), "Lambda API");
    roles.put(e.apiGateway().getPort(), "API Gateway");
    return roles;
  }

  private static String role(long pid, long elasticsearchPid) {
    if (pid == elasticsearchPid) {
      return "Elasticsearch transport";
    }
    return pid == ProcessHandle.current().pid() ? "Runtime API or layer collector" : "";
  }

  private static String name(List<Proc> processes, long pid) {
    return processes.stream().filter(p -> p.pid() == pid).map(Proc::shortName).findFirst().orElse("?");
  }

  private static void print(List<Proc> processes, Map<Long, List<Listener>> listening, Map<Integer, String> roles,
      long elasticsearchPid) {
    StringBuilder out = new StringBuilder("\n== Security: listening sockets of the stack's processes ==\n");
    out.append(String.format("%-8s %-34s %-5s %-28s %-9s %s%n", "pid", "process", "proto", "address", "loopback",
        "role"));
    int total = 0;
    int loopback = 0;
    for (var entry : listening.entrySet()) {
      for (Listener l : entry.getValue()) {
        total++;
        loopback += l.loopback() ? 1 : 0;
        out.append(String.format("%-8d %-34s %-5s %-28s %-9s %s%n", entry.getKey(), name(processes, entry.getKey()),
            l.protocol(), l.hostPort(), l.loopback() ? "yes" : "NO",
            roles.getOrDefault(l.port(), role(entry.getKey(), elasticsearchPid))));
      }
    }
    out.append(String.format("%d processes looked at, %d listening sockets, %d on loopback, %d elsewhere%n",
        processes.size(), total, loopback, total - loopback));
    System.out.print(out);
  }
}
