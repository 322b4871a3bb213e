package io.traceharness.resilience;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The process table as {@code /proc} shows it to another process: pid, parent, process group,
 * state, start time, command line and working directory. {@link ProcessHandle} knows neither the
 * process group nor the working directory, and calls a zombie alive.
 */
final class LeftBehindProcesses {

  /** Options of the java launcher whose value is the next argument (so it is not the main class). */
  private static final Set<String> JAVA_OPTIONS_WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
      "--module-path", "--upgrade-module-path", "--add-modules", "--add-opens", "--add-exports", "--add-reads",
      "--enable-native-access");

  /**
   * One process. {@code startTicks} (field 22 of /proc/pid/stat) tells a process from a later one
   * that reuses its pid.
   */
  record Proc(long pid, long ppid, long pgrp, char state, long startTicks, String cmdline, String cwd) {

    boolean zombie() {
      return state == 'Z' || state == 'X';
    }

    boolean sameAs(Proc other) {
      return pid == other.pid && startTicks == other.startTicks;
    }

    /** What a person recognises: the main class of a JVM, else the program and its first argument. */
    String shortName() {
      String[] args = cmdline.split(" ");
      String program = args.length == 0 ? "?" : Path.of(args[0].isEmpty() ? "?" : args[0]).getFileName().toString();
      if (program.equals("java")) {
        for (int i = 1; i < args.length; i++) {
          String a = args[i];
          if ((a.equals("-m") || a.equals("--module")) && i + 1 < args.length) {
            return "java " + simpleName(args[i + 1].substring(args[i + 1].indexOf('/') + 1));
          }
          if (a.equals("-jar") && i + 1 < args.length) {
            return "java -jar " + Path.of(args[i + 1]).getFileName();
          }
          if (JAVA_OPTIONS_WITH_VALUE.contains(a)) {
            i++;
          } else if (!a.startsWith("-")) {
            return "java " + simpleName(a);
          }
        }
        return "java";
      }
      if ((program.equals("sh") || program.equals("setsid")) && args.length > 1) {
        return program + " " + Path.of(args[1]).getFileName();
      }
      return args.length > 1 ? program + " " + abbreviate(args[1]) : program;
    }

    private static String simpleName(String className) {
      return className.substring(className.lastIndexOf('.') + 1);
    }

    private static String abbreviate(String s) {
      String name = s.contains("/") ? s.substring(s.lastIndexOf('/') + 1) : s;
      return name.length() > 40 ? name.substring(0, 40) + "…" : name;
    }
  }

  private LeftBehindProcesses() {
  }

  /** Every process this one can see now. */
  static List<Proc> all() {
    List<Proc> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path dir : dirs) {
        read(Long.parseLong(dir.getFileName().toString())).ifPresent(out::add);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return out;
  }

  /** The process with this pid, if it exists (zombies included). */
  static Optional<Proc> read(long pid) {
    Path dir = Path.of("/proc", Long.toString(pid));
    try {
      String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
      // the command name in parentheses may itself hold spaces and parentheses
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      char state = f[0].charAt(0);
      long ppid = Long.parseLong(f[1]);
      long pgrp = Long.parseLong(f[2]);
      long start = Long.parseLong(f[19]);
      String cmdline = new String(readOrEmpty(dir.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').trim();
      String cwd;
      try {
        cwd = Files.readSymbolicLink(dir.resolve("cwd")).toString();
      } catch (IOException e) {
        cwd = ""; // a zombie has no cwd; another user's process without privileges neither
      }
      return Optional.of(new Proc(pid, ppid, pgrp, state, start, cmdline, cwd));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** {@code root} and every process below it, as the parent links stand now. */
  static List<Proc> tree(long root, Collection<Proc> table) {
    Map<Long, List<Proc>> children = new HashMap<>();
    Proc rootProc = null;
    for (Proc p : table) {
      children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
      if (p.pid() == root) {
        rootProc = p;
      }
    }
    List<Proc> out = new ArrayList<>();
    if (rootProc == null) {
      return out;
    }
    List<Proc> todo = new ArrayList<>(List.of(rootProc));
    Set<Long> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      Proc p = todo.remove(todo.size() - 1);
      if (seen.add(p.pid())) {
        out.add(p);
        todo.addAll(children.getOrDefault(p.pid(), List.of()));
      }
    }
    return out;
  }

  /** This JVM and its ancestors: their groups and directories say nothing about the probe's stack. */
  static Set<Long> selfAndAncestors() {
    Set<Long> pids = new HashSet<>();
    Optional<ProcessHandle> h = Optional.of(ProcessHandle.current());
    while (h.isPresent()) {
      pids.add(h.get().pid());
      h = h.get().parent();
    }
    return pids;
  }

  private static byte[] readOrEmpty(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
