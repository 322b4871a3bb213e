package io.traceharness.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Loopback ports.
 *
 * <p>Public because the elasticsearch package and the tests of the fixtures and scenario modules pick ports with it.
 */
public final class Ports {

  private Ports() {
  }

  /**
   * A port that was free on 127.0.0.1 a moment ago. Another process can take it before the caller
   * binds it, so callers that hand the port to a child process retry on a clash.
   */
  public static int free() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** True when something accepts TCP connections on 127.0.0.1:port. */
  public static boolean isListening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
