package io.traceharness.apigateway;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Resources and methods of one API. As in API Gateway, the most specific resource wins: at each
 * path segment a literal beats a {@code {param}}, which beats a greedy {@code {proxy+}}; on the
 * same resource an explicit method beats {@code ANY}.
 */
final class RouteTable {

  private final List<Route> routes = new CopyOnWriteArrayList<>();

  /** Every route, in the order they were added. */
  List<Route> all() {
    return List.copyOf(routes);
  }

  Route add(String method, String pathTemplate, String functionName) {
    Route route = Route.parse(method, pathTemplate, functionName);
    routes.removeIf(r -> r.method().equals(route.method()) && r.template().equals(route.template()));
    routes.add(route);
    return route;
  }

  Optional<Match> match(String method, String path) {
    List<String> segments = segments(path);
    String m = method.toUpperCase(Locale.ROOT);
    return routes.stream()
        .filter(r -> r.method().equals(m) || r.method().equals("ANY"))
        .map(r -> r.match(segments))
        .flatMap(Optional::stream)
        .min(Comparator.comparing((Match x) -> x.route().specificity(), RouteTable::compareSpecificity)
            .thenComparing(x -> x.route().method().equals("ANY")));
  }

  static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private static int compareSpecificity(List<Integer> a, List<Integer> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = Integer.compare(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    // a longer match without a greedy part is the more specific resource
    return Integer.compare(b.size(), a.size());
  }

  /** A resource path and method bound to a function. */
  record Route(String method, String template, String functionName, List<String> parts) {

    private static final int LITERAL = 0;
    private static final int PARAM = 1;
    private static final int GREEDY = 2;

    static Route parse(String method, String template, String functionName) {
      String m = method.toUpperCase(Locale.ROOT);
      if (!List.of("ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS").contains(m)) {
        throw new IllegalArgumentException("unsupported HTTP method " + method);
      }
      String t = template.startsWith("/") ? template : "/" + template;
      List<String> parts = segments(t);
      for (int i = 0; i < parts.size(); i++) {
        String p = parts.get(i);
        if (p.endsWith("+}") && i != parts.size() - 1) {
          throw new IllegalArgumentException("a greedy path variable must be the last segment: " + template);
        }
      }
      return new Route(m, parts.isEmpty() ? "/" : "/" + String.join("/", parts), functionName, List.copyOf(parts));
    }

    List<Integer> specificity() {
      return parts.stream().map(Route::kind).toList();
    }

    /** {@code GET /items/{id}}: the route key of payload format 2.0. */
    String routeKey() {
      return method + " " + template;
    }

    Optional<Match> match(List<String> segments) {
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < parts.size(); i++) {
        String part = parts.get(i);
        int kind = kind(part);
        if (kind == GREEDY) {
          if (i >= segments.size()) {
            return Optional.empty();
          }
          params.put(name(part), String.join("/", segments.subList(i, segments.size())));
          return Optional.of(new Match(this, params));
        }
        if (i >= segments.size()) {
          return Optional.empty();
        }
        if (kind == PARAM) {
          params.put(name(part), segments.get(i));
        } else if (!part.equals(segments.get(i))) {
          return Optional.empty();
        }
      }
      return segments.size() == parts.size() ? Optional.of(new Match(this, params)) : Optional.empty();
    }

    private static int kind(String part) {
      if (part.startsWith("{") && part.endsWith("+}")) {
        return GREEDY;
      }
      return part.startsWith("{") && part.endsWith("}") ? PARAM : LITERAL;
    }

    private static String name(String part) {
      return part.substring(1, part.length() - (part.endsWith("+}") ? 2 : 1));
    }
  }

  /** A matched route with its path parameters (still URL-encoded, as they appeared in the path). */
  record Match(Route route, Map<String, String> pathParameters) {
  }
}
