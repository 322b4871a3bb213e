package io.traceharness.collector;

import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The part of the OpenTelemetry Transformation Language that Lambda collector configs use, as
 * opentelemetry-collector-contrib {@code pkg/ottl} parses it ({@code LANGUAGE.md}): an editor call
 * with an optional {@code where} condition. Editors: {@code set}, {@code delete_key},
 * {@code delete_matching_keys}, {@code keep_keys}. Paths: {@code <context>.attributes[...]} for the
 * contexts {@code resource}, {@code span} and {@code log}, {@code span.name}, and, inside a statement
 * group with {@code context:}, the same paths without the prefix (the style before v0.120.0).
 * Conditions: {@code ==}, {@code !=}, {@code <}, {@code <=}, {@code >}, {@code >=}, {@code and},
 * {@code or}, {@code not}, parentheses, {@code nil}, {@code true}/{@code false}, numbers and strings.
 * Any other function is a startup error that names it. Statements are read by {@link OttlParser}.
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
    OttlParser p = new OttlParser(text, allowed, groupContext, keyPath);
    return p.statement();
  }

  /** A group's condition (transformprocessor "conditions"); {@code context} is the innermost context it names, or null. */
  record Condition(Expr expr, String context) {
  }

  static Condition parseCondition(String text, Set<String> allowed, String groupContext, String keyPath) {
    OttlParser p = new OttlParser(text, allowed, groupContext, keyPath);
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
}
