package io.traceharness.collector;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.traceharness.collector.CollectorConfig.InvalidConfigException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The part of the OpenTelemetry Transformation Language that Lambda collector configs use, as
 * opentelemetry-collector-contrib {@code pkg/ottl} parses it ({@code LANGUAGE.md}): an editor call
 * with an optional {@code where} condition. Editors: {@code set}, {@code delete_key},
 * {@code delete_matching_keys}, {@code keep_keys}. Paths: {@code <context>.attributes[...]} for the
 * contexts {@code resource}, {@code span} and {@code log}, {@code span.name}, and, inside a statement
 * group with {@code context:}, the same paths without the prefix (the style before v0.120.0).
 * Conditions: {@code ==}, {@code !=}, {@code <}, {@code <=}, {@code >}, {@code >=}, {@code and},
 * {@code or}, {@code not}, parentheses, {@code nil}, {@code true}/{@code false}, numbers and strings.
 * Any other function is a startup error that names it.
 */
final class Ottl {

  /** The editors run here; the real OTTL has many more (pkg/ottl/ottlfuncs). */
  static final List<String> EDITORS = List.of("set", "delete_key", "delete_matching_keys", "keep_keys");

  private Ottl() {
  }

  /** The data one statement sees: resource attributes and, below the resource, one item's. */
  interface Target {
    /** Mutable attributes of {@code context} ({@code resource}, or the item's context), null when absent. */
    Map<String, AnyValue> attributes(String context);

    /** The item's name ({@code span.name}); null where the context has none. */
    String name();

    void name(String name);
  }

  /** A path: {@code context.attributes["key"]}, {@code context.attributes}, {@code context.name}. */
  record Path(String context, String field, String key) {
    AnyValue get(Target t) {
      if (field.equals("name")) {
        String n = t.name();
        return n == null ? null : AnyValue.newBuilder().setStringValue(n).build();
      }
      Map<String, AnyValue> attrs = t.attributes(context);
      return attrs == null || key == null ? null : attrs.get(key);
    }

    @Override
    public String toString() {
      return context + "." + field + (key != null ? "[\"" + key + "\"]" : "");
    }
  }

  sealed interface Expr permits Literal, PathExpr, Compare, Logic, Not {
  }

  record Literal(AnyValue value) implements Expr {
  }

  record PathExpr(Path path) implements Expr {
  }

  record Compare(Expr left, String op, Expr right) implements Expr {
  }

  record Logic(Expr left, boolean and, Expr right) implements Expr {
  }

  record Not(Expr inner) implements Expr {
  }

  /** One parsed statement; {@link #context()} is the innermost context its paths name. */
  record Statement(String text, String function, List<Object> args, Expr where, String context) {

    void run(Target t) {
      if (where != null && !truthy(where, t)) {
        return;
      }
      switch (function) {
        case "set" -> set(((PathExpr) args.get(0)).path(), value(args.get(1), t), t);
        case "delete_key" -> {
          Map<String, AnyValue> m = mapOf(args.get(0), t);
          if (m != null) {
            m.remove(string(args.get(1)));
          }
        }
        case "delete_matching_keys" -> {
          Map<String, AnyValue> m = mapOf(args.get(0), t);
          if (m != null) {
            Pattern p = Pattern.compile(string(args.get(1)));
            m.keySet().removeIf(k -> p.matcher(k).matches());
          }
        }
        default -> {
          Map<String, AnyValue> m = mapOf(args.get(0), t);
          @SuppressWarnings("unchecked")
          List<Object> keep = (List<Object>) args.get(1);
          if (m != null) {
            Set<String> names = new java.util.HashSet<>();
            keep.forEach(k -> names.add(string(k)));
            m.keySet().retainAll(names);
          }
        }
      }
    }

    private static void set(Path p, AnyValue v, Target t) {
      // OTTL's set does nothing when the value is nil (ottlfuncs/func_set.go)
      if (v == null) {
        return;
      }
      if (p.field().equals("name")) {
        if (v.hasStringValue()) {
          t.name(v.getStringValue());
        }
        return;
      }
      Map<String, AnyValue> m = t.attributes(p.context());
      if (m != null) {
        m.put(p.key(), v);
      }
    }

    private static Map<String, AnyValue> mapOf(Object arg, Target t) {
      Path p = ((PathExpr) arg).path();
      return t.attributes(p.context());
    }
  }

  static String string(Object literal) {
    return ((Literal) literal).value().getStringValue();
  }

  static AnyValue value(Object arg, Target t) {
    if (arg instanceof Literal l) {
      return l.value();
    }
    return ((PathExpr) arg).path().get(t);
  }

  static boolean truthy(Expr e, Target t) {
    if (e instanceof Logic l) {
      return l.and() ? truthy(l.left(), t) && truthy(l.right(), t) : truthy(l.left(), t) || truthy(l.right(), t);
    }
    if (e instanceof Not n) {
      return !truthy(n.inner(), t);
    }
    if (e instanceof Compare c) {
      return compare(value(c.left(), t), c.op(), value(c.right(), t));
    }
    AnyValue v = e instanceof Literal l ? l.value() : ((PathExpr) e).path().get(t);
    return v != null && v.hasBoolValue() && v.getBoolValue();
  }

  private static boolean compare(AnyValue a, String op, AnyValue b) {
    if (op.equals("==") || op.equals("!=")) {
      boolean eq = a == null || b == null ? a == b : numeric(a) != null && numeric(b) != null
          ? numeric(a).doubleValue() == numeric(b).doubleValue() : a.equals(b);
      return op.equals("==") == eq;
    }
    if (a == null || b == null) {
      return false;
    }
    int cmp;
    if (numeric(a) != null && numeric(b) != null) {
      cmp = Double.compare(numeric(a).doubleValue(), numeric(b).doubleValue());
    } else if (a.hasStringValue() && b.hasStringValue()) {
      cmp = a.getStringValue().compareTo(b.getStringValue());
    } else {
      return false;
    }
    return switch (op) {
      case "<" -> cmp < 0;
      case "<=" -> cmp <= 0;
      case ">" -> cmp > 0;
      default -> cmp >= 0;
    };
  }

  private static Number numeric(AnyValue v) {
    return v.hasIntValue() ? (Number) v.getIntValue() : v.hasDoubleValue() ? (Number) v.getDoubleValue() : null;
  }

  // ---- parsing ------------------------------------------------------------------------------

  /**
   * Parses one statement.
   *
   * @param allowed        the contexts the signal's statements may name (trace_statements: resource, span)
   * @param groupContext   the {@code context:} of an advanced-config group, or null (paths carry their context)
   * @param keyPath        where the statement is in the config, for errors
   */
  static Statement parse(String text, Set<String> allowed, String groupContext, String keyPath) {
    Parser p = new Parser(text, allowed, groupContext, keyPath);
    return p.statement();
  }

  /** A group's condition (transformprocessor "conditions"); {@code context} is the innermost context it names, or null. */
  record Condition(Expr expr, String context) {
  }

  static Condition parseCondition(String text, Set<String> allowed, String groupContext, String keyPath) {
    Parser p = new Parser(text, allowed, groupContext, keyPath);
    Expr e = p.or();
    if (p.peek() != null) {
      throw p.error("unexpected \"" + p.peek() + "\"");
    }
    return new Condition(e, p.context);
  }

  /**
   * The statement guarded also by the group's conditions, which are ORed (transformprocessor README,
   * "Advanced Config"); it runs in the innermost context of either.
   */
  static Statement guarded(Statement st, List<Condition> conditions) {
    if (conditions.isEmpty()) {
      return st;
    }
    Expr any = conditions.get(0).expr();
    String ctx = st.context();
    for (int i = 0; i < conditions.size(); i++) {
      Condition c = conditions.get(i);
      if (i > 0) {
        any = new Logic(any, false, c.expr());
      }
      if (c.context() != null && !c.context().equals("resource")) {
        ctx = c.context();
      }
    }
    Expr where = st.where() == null ? any : new Logic(any, true, st.where());
    return new Statement(st.text(), st.function(), st.args(), where, ctx);
  }

  private static final Pattern TOKEN = Pattern.compile(
      "\\s*(?:(\"(?:[^\"\\\\]|\\\\.)*\")|(-?\\d+\\.\\d+|-?\\d+)|(==|!=|<=|>=|<|>|\\(|\\)|\\[|\\]|,)|([A-Za-z_][A-Za-z0-9_.]*))");

  private static final class Parser {
    private final String text;
    private final Set<String> allowed;
    private final String groupContext;
    private final String keyPath;
    private final List<String> tokens = new ArrayList<>();
    private int at;
    private String context;

    Parser(String text, Set<String> allowed, String groupContext, String keyPath) {
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
      if (!EDITORS.contains(fn)) {
        throw error("undefined function \"" + fn + "\" (the embedded collector runs the editors "
            + String.join(", ", EDITORS) + ")");
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

    private Expr or() {
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
            + " it runs the editors " + String.join(", ", EDITORS) + ")");
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
        throw error("path \"" + t + "\" names no context; write resource.…, span.… or log.…, or group the"
            + " statements under a context:");
      }
      if (!allowed.contains(ctx)) {
        throw error("context \"" + ctx + "\" is not valid here (valid: " + String.join(", ", allowed)
            + "; the embedded collector runs resource, span and log paths)");
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
}
