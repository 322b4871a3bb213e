package io.traceharness.apm;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Scope;
import co.elastic.apm.api.Transaction;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * A tiny program run in a child JVM under the real Elastic APM Java agent: one transaction with an
 * outgoing HTTP call (which the agent turns into an exit span). Prints {@code TRACE_ID=<id>}.
 */
public final class ElasticAgentClientApp {

  private ElasticAgentClientApp() {
  }

  public static void main(String[] args) throws Exception {
    HttpServer pong = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    pong.createContext("/ping", exchange -> {
      byte[] body = "pong".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    pong.start();
    Transaction transaction = ElasticApm.startTransaction();
    transaction.setName("client-top-level");
    transaction.setType("request");
    int status;
    try (Scope scope = transaction.activate()) {
      HttpURLConnection connection = (HttpURLConnection) new URL(
          "http://127.0.0.1:" + pong.getAddress().getPort() + "/ping").openConnection();
      status = connection.getResponseCode();
      try (InputStream in = connection.getInputStream()) {
        in.readAllBytes();
      }
    } finally {
      transaction.end();
    }
    System.out.println("HTTP_STATUS=" + status);
    System.out.println("TRACE_ID=" + transaction.getTraceId());
    System.out.flush();
    // api_request_time is 1 s in the test: give the agent time to close its intake request
    Thread.sleep(Long.parseLong(System.getProperty("linger.ms", "3000")));
    pong.stop(0);
  }
}
