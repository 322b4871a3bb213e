package io.traceharness.resilience;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TCP sockets in LISTEN state, read from {@code /proc/net/tcp} and {@code /proc/net/tcp6}, and
 * the processes that own them, found by socket inode in {@code /proc/<pid>/fd}: what {@code ss -ltnp}
 * shows, without depending on iproute2 being installed or on its output format.
 */
final class SecurityListeners {

  /** {@code st} of a listening socket in /proc/net/tcp (include/net/tcp_states.h: TCP_LISTEN = 10). */
  private static final String LISTEN = "0A";
  private static final Pattern SOCKET = Pattern.compile("socket:\\[(\\d+)]");

  /** A listening socket: its local address and port, and the kernel's inode for it. */
  record Listener(String protocol, InetAddress address, int port, long inode) {

    boolean loopback() {
      if (address.isLoopbackAddress()) {
        return true;
      }
      // a dual-stack JVM bound to 127.0.0.1 shows up in tcp6 as ::ffff:127.0.0.1
      byte[] b = address.getAddress();
      if (b.length == 16) {
        for (int i = 0; i < 10; i++) {
          if (b[i] != 0) {
            return false;
          }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff && (b[12] & 0xff) == 127;
      }
      return false;
    }

    String hostPort() {
      String host = address.getHostAddress();
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private SecurityListeners() {
  }

  /** Every TCP socket of this network namespace in LISTEN state. */
  static List<Listener> all() {
    List<Listener> out = new ArrayList<>();
    read(Path.of("/proc/net/tcp"), "tcp", out);
    read(Path.of("/proc/net/tcp6"), "tcp6", out);
    return out;
  }

  /** The listening sockets owned by each of these processes (processes gone or unreadable own none). */
  static Map<Long, List<Listener>> ownedBy(Collection<Long> pids) {
    List<Listener> listening = all();
    Map<Long, List<Listener>> byPid = new LinkedHashMap<>();
    for (long pid : pids) {
      Set<Long> inodes = socketInodes(pid);
      List<Listener> mine = listening.stream().filter(l -> inodes.contains(l.inode())).toList();
      if (!mine.isEmpty()) {
        byPid.put(pid, mine);
      }
    }
    return byPid;
  }

  /** The ports in LISTEN state now, among {@code ports}. */
  static Set<Integer> stillListening(Collection<Integer> ports) {
    Set<Integer> left = new TreeSet<>();
    for (Listener l : all()) {
      if (ports.contains(l.port())) {
        left.add(l.port());
      }
    }
    return left;
  }

  /** Inodes of the sockets a process holds open; empty when it is gone or its fds cannot be read. */
  static Set<Long> socketInodes(long pid) {
    Set<Long> inodes = new TreeSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds) {
        try {
          Matcher m = SOCKET.matcher(Files.readSymbolicLink(fd).toString());
          if (m.matches()) {
            inodes.add(Long.parseLong(m.group(1)));
          }
        } catch (IOException e) {
          // the fd was closed while we listed the directory
        }
      }
    } catch (IOException e) {
      return inodes;
    }
    return inodes;
  }

  private static void read(Path file, String protocol, List<Listener> out) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      if (protocol.equals("tcp6") && !Files.exists(file)) {
        return; // a kernel without IPv6
      }
      throw new UncheckedIOException(e);
    }
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
      String[] f = line.trim().split("\\s+");
      if (f.length < 10 || !f[3].equals(LISTEN)) {
        continue;
      }
      String[] local = f[1].split(":");
      out.add(new Listener(protocol, address(local[0]), Integer.parseInt(local[1], 16), Long.parseLong(f[9])));
    }
  }

  /** The kernel prints each 32-bit word of the address in host (little-endian) byte order. */
  static InetAddress address(String hex) {
    byte[] raw = HexFormat.of().parseHex(hex);
    byte[] b = new byte[raw.length];
    for (int word = 0; word < raw.length; word += 4) {
      for (int i = 0; i < 4; i++) {
        b[word + i] = raw[word + 3 - i];
      }
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + hex, e);
    }
  }
}
