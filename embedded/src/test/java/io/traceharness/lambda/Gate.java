package io.traceharness.lambda;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A latch a function's handler waits on ({@code index.hold} with {@code {"gate": gate.uri()}}): each
 * call counts as arrived and is answered only once the test {@linkplain #open() opens} the gate, so an
 * invocation holds its execution environment exactly as long as the test wants.
 */
final class Gate implements AutoCloseable {

  private final CountDownLatch open = new CountDownLatch(1);
  private final AtomicInteger waiting = new AtomicInteger();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final HttpServer server;

  Gate() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(threads);
    server.createContext("/", exchange -> {
      waiting.incrementAndGet();
      try {
        open.await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      waiting.decrementAndGet();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** The event for {@code index.hold}. */
  String event() {
    return "{\"gate\":\"" + uri() + "\"}";
  }

  /** Handlers inside their invocation, waiting at the gate now. */
  int waiting() {
    return waiting.get();
  }

  void open() {
    open.countDown();
  }

  @Override
  public void close() {
    open();
    server.stop(0);
    threads.shutdownNow();
  }
}
