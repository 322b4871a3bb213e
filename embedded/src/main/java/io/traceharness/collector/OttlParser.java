package io.traceharness.collector;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.traceharness.collector.CollectorConfig.InvalidConfigException;
import io.traceharness.collector.Ottl.Compare;
import io.traceharness.collector.Ottl.Expr;
import io.traceharness.collector.Ottl.Literal;
import io.traceharness.collector.Ottl.Logic;
import io.traceharness.collector.Ottl.Not;
import io.traceharness.collector.Ottl.Path;
import io.traceharness.collector.Ottl.PathExpr;
import io.traceharness.collector.Ottl.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The parser of {@link Ottl}'s subset, after opentelemetry-collector-contrib {@code pkg/ottl}'s
 * grammar ({@code LANGUAGE.md}): tokens, one editor call with its arguments and paths, and a
 * {@code where} condition; errors name the statement and where it is in the config.
 */
final class OttlParser {

  private static final Pattern TOKEN = Pattern.compile(
      "\\s*(?:(\"(?:[^\"\\\\]|\\\\.)*\")|(-?\\d+\\.\\d+|-?\\d+)|(==|!=|<=|>=|<|>|\\(|\\)|\\[|\\]|,)|([A-Za-z_][A-Za-z0-9_.]*))");

  private final String text;
  private final Set<String> allowed;
  private final String groupContext;
  private final String keyPath;
  private final List<String> tokens = new ArrayList<>();
  private int at;
  /** The innermost context the parsed paths name. */
  String context;

  OttlParser(String text, Set<String> allowed, String groupContext, String keyPath) {
    this.text = text;
    this.allowed = allowed;
    this.groupContext = groupContext;
    this.keyPath = keyPath;
    var m = TOKEN.matcher(text);
    int pos = 0;
    while (pos < text.length()) {
      if (text.substring(pos).isBlank()) {
        break;
      }
      if (!m.find(pos) || m.start() != pos) {
        throw error("syntax error at \"" + text.substring(pos).strip() + "\"");
      }
      for (int g = 1; g <= 4; g++) {
        if (m.group(g) != null) {
          tokens.add(m.group(g));
        }
      }
      pos = m.end();
    }
  }

  InvalidConfigException error(String why) {
    return new InvalidConfigException(keyPath + ": unable to parse OTTL statement \"" + text + "\": " + why);
  }

  String peek() {
    return at < tokens.size() ? tokens.get(at) : null;
  }

  String next() {
    if (at >= tokens.size()) {
      throw error("unexpected end of statement");
    }
    return tokens.get(at++);
  }

  void expect(String t) {
    String n = next();
    if (!n.equals(t)) {
      throw error("expected \"" + t + "\", got \"" + n + "\"");
    }
  }

  Statement statement() {
    String fn = next();
    if (!fn.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw error("expected an editor function, got \"" + fn + "\"");
    }
    if (!Ottl.EDITORS.contains(fn)) {
      throw error("undefined function \"" + fn + "\" (the embedded collector runs the editors "
          + String.join(", ", Ottl.EDITORS) + ")");
    }
    expect("(");
    List<Object> args = new ArrayList<>();
    if (!")".equals(peek())) {
      args.add(argument());
      while (",".equals(peek())) {
        next();
        args.add(argument());
      }
    }
    expect(")");
    checkArgs(fn, args);
    Expr where = null;
    if ("where".equals(peek())) {
      next();
      where = or();
    }
    if (peek() != null) {
      throw error("unexpected \"" + peek() + "\"");
    }
    if (groupContext != null && groupContext.equals("resource") && context != null && !context.equals("resource")) {
      throw error("context \"" + context + "\" paths cannot be used in a resource context group");
    }
    String ctx = groupContext != null ? groupContext : context != null ? context : "resource";
    return new Statement(text, fn, List.copyOf(args), where, ctx);
  }

  private void checkArgs(String fn, List<Object> args) {
    int want = fn.equals("set") || fn.equals("delete_key") || fn.equals("delete_matching_keys")
        || fn.equals("keep_keys") ? 2 : 0;
    if (args.size() != want) {
      throw error("incorrect number of arguments: " + fn + " takes " + want + ", got " + args.size());
    }
    Object first = args.get(0);
    if (!(first instanceof PathExpr pe)) {
      throw error(fn + ": the first argument must be a path");
    }
    boolean map = pe.path().key() == null && pe.path().field().equals("attributes");
    if (fn.equals("set") ? map : !map) {
      throw error(fn + ": " + pe.path() + (map ? " is a map; set one key of it" : " is not a map of attributes"));
    }
    if (fn.equals("set") && args.get(1) instanceof List<?>) {
      throw error("set: lists are not supported by the embedded collector");
    }
    if (fn.equals("delete_key") || fn.equals("delete_matching_keys")) {
      if (!(args.get(1) instanceof Literal l) || !l.value().hasStringValue()) {
        throw error(fn + ": the second argument must be a string");
      }
      if (fn.equals("delete_matching_keys")) {
        try {
          Pattern.compile(l.value().getStringValue());
        } catch (PatternSyntaxException e) {
          throw error("delete_matching_keys: invalid pattern: " + e.getDescription());
        }
      }
    }
    if (fn.equals("keep_keys") && !(args.get(1) instanceof List<?>)) {
      throw error("keep_keys: the second argument must be a list of strings");
    }
  }

  private Object argument() {
    if ("[".equals(peek())) {
      next();
      List<Object> list = new ArrayList<>();
      if (!"]".equals(peek())) {
        list.add(primary());
        while (",".equals(peek())) {
          next();
          list.add(primary());
        }
      }
      expect("]");
      return list;
    }
    return primary();
  }

  Expr or() {
    Expr left = and();
    while ("or".equals(peek())) {
      next();
      left = new Logic(left, false, and());
    }
    return left;
  }

  private Expr and() {
    Expr left = unary();
    while ("and".equals(peek())) {
      next();
      left = new Logic(left, true, unary());
    }
    return left;
  }

  private Expr unary() {
    if ("not".equals(peek())) {
      next();
      return new Not(unary());
    }
    if ("(".equals(peek())) {
      next();
      Expr e = or();
      expect(")");
      return e;
    }
    Expr left = primary();
    String op = peek();
    if (op != null && Set.of("==", "!=", "<", "<=", ">", ">=").contains(op)) {
      next();
      return new Compare(left, op, primary());
    }
    return left;
  }

  private Expr primary() {
    String t = next();
    if (t.startsWith("\"")) {
      return new Literal(AnyValue.newBuilder().setStringValue(unquote(t)).build());
    }
    if (t.matches("-?\\d+")) {
      return new Literal(AnyValue.newBuilder().setIntValue(Long.parseLong(t)).build());
    }
    if (t.matches("-?\\d+\\.\\d+")) {
      return new Literal(AnyValue.newBuilder().setDoubleValue(Double.parseDouble(t)).build());
    }
    if (t.equals("true") || t.equals("false")) {
      return new Literal(AnyValue.newBuilder().setBoolValue(Boolean.parseBoolean(t)).build());
    }
    if (t.equals("nil")) {
      return new Literal(null);
    }
    if ("(".equals(peek())) {
      throw error("undefined function \"" + t + "\" (the embedded collector runs no converters in statements;"
          + " it runs the editors " + String.join(", ", Ottl.EDITORS) + ")");
    }
    return new PathExpr(path(t));
  }

  private Path path(String t) {
    String ctx;
    String field;
    int dot = t.indexOf('.');
    String head = dot < 0 ? t : t.substring(0, dot);
    if (Set.of("resource", "scope", "span", "spanevent", "log", "metric", "datapoint", "instrumentation_scope")
        .contains(head) && dot > 0) {
      ctx = head;
      field = t.substring(dot + 1);
    } else if (groupContext != null) {
      ctx = groupContext;
      field = t;
    } else {
      // contrib pkg/ottl/parser.go, parsePathContext: the context names the path could take
      throw error("missing context name for path \"" + t + "\", possibly valid options are: "
          + allowed.stream().sorted().map(c -> "\"" + c + "." + t + "\"").collect(java.util.stream.Collectors.joining(", "))
          + " (or group the statements under a context:)");
    }
    if (!allowed.contains(ctx)) {
      throw error("context \"" + ctx + "\" from path \"" + t + "\" is not valid, it must be replaced by one of: "
          + allowed.stream().sorted().map(c -> "\"" + c + "\"").collect(java.util.stream.Collectors.joining(", "))
          + " (the embedded collector runs resource, span and log paths)");
    }
    if (!(field.equals("attributes") || field.equals("name") && ctx.equals("span"))) {
      throw error("path " + ctx + "." + field + " is not supported by the embedded collector (it reads and writes "
          + ctx + ".attributes" + (ctx.equals("span") ? " and span.name" : "") + ")");
    }
    String key = null;
    if (field.equals("attributes") && "[".equals(peek())) {
      next();
      String k = next();
      if (!k.startsWith("\"")) {
        throw error("attribute keys must be strings, got " + k);
      }
      key = unquote(k);
      expect("]");
    }
    if (!ctx.equals("resource") && (context == null || context.equals("resource"))) {
      context = ctx;
    } else if (context == null) {
      context = ctx;
    }
    return new Path(ctx, field, key);
  }

  private static String unquote(String quoted) {
    StringBuilder sb = new StringBuilder();
    for (Iterator<Integer> it = quoted.substring(1, quoted.length() - 1).chars().iterator(); it.hasNext(); ) {
      char c = (char) it.next().intValue();
      if (c == '\\' && it.hasNext()) {
        char e = (char) it.next().intValue();
        sb.append(switch (e) {
          case 'n' -> '\n';
          case 't' -> '\t';
          default -> e;
        });
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
