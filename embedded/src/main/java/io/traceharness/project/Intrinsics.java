package io.traceharness.project;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CloudFormation's intrinsic functions as SAM templates use them, in both forms ({@code !Ref X} and
 * {@code {Ref: X}}): {@code Ref} (parameters, pseudo parameters, resources), {@code Fn::Sub}
 * ({@code ${Name}}, {@code ${Res.Attr}}, {@code ${!Literal}}, and the list form with its own
 * variables), {@code Fn::GetAtt} ({@code X.Arn}), {@code Fn::Join}, {@code Fn::Select},
 * {@code Fn::Split}. (AWS CloudFormation User Guide, "Intrinsic function reference".) Anything else
 * is an error naming the key and the line.
 */
final class Intrinsics {

  private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");
  private static final Map<String, String> SHORT_FORMS = Map.of("!Ref", "Ref", "!Sub", "Fn::Sub", "!GetAtt",
      "Fn::GetAtt", "!Join", "Fn::Join", "!Select", "Fn::Select", "!Split", "Fn::Split", "!If", "Fn::If",
      "!ImportValue", "Fn::ImportValue", "!FindInMap", "Fn::FindInMap", "!GetAZs", "Fn::GetAZs");

  /** What a resource's {@code Ref} and {@code GetAtt} give. */
  interface Resources {
    /** {@code Ref} of a resource, or {@code null} when there is no such resource. */
    String ref(String logicalId);

    /** {@code Fn::GetAtt}, or {@code null} when the resource or attribute is unknown. */
    String getAtt(String logicalId, String attribute);
  }

  private final Path file;
  private final Map<String, String> parameters;
  private final Map<String, String> pseudo;
  private final Resources resources;

  Intrinsics(Path file, Map<String, String> parameters, Map<String, String> pseudo, Resources resources) {
    this.file = file;
    this.parameters = parameters;
    this.pseudo = pseudo;
    this.resources = resources;
  }

  /** The node with every intrinsic function in it evaluated. */
  YNode resolve(YNode node) {
    if (node == null || node.isNull()) {
      return node;
    }
    if (node.tag() != null) {
      String fn = SHORT_FORMS.get(node.tag());
      if (fn == null) {
        throw new DescriptorException(file, node, "unknown tag " + node.tag());
      }
      return node.with(evaluate(fn, node.with(node.value()), node));
    }
    if (node.isMap() && node.map().size() == 1) {
      String key = node.map().keySet().iterator().next();
      if (key.equals("Ref") || key.startsWith("Fn::")) {
        return node.with(evaluate(key, node.get(key), node));
      }
    }
    if (node.isList()) {
      List<YNode> items = new ArrayList<>();
      node.list().forEach(i -> items.add(resolve(i)));
      return node.with(items);
    }
    if (node.isMap()) {
      Map<String, YNode> m = new LinkedHashMap<>();
      node.map().forEach((k, v) -> m.put(k, resolve(v)));
      return node.with(m);
    }
    return node;
  }

  /** A resolved scalar's text. */
  String text(YNode node) {
    YNode r = resolve(node);
    if (r == null || !r.isScalar()) {
      throw new DescriptorException(file, node, "expected a text value");
    }
    return r.text();
  }

  private Object evaluate(String fn, YNode arg, YNode at) {
    return switch (fn) {
      case "Ref" -> ref(scalar(arg, fn), at);
      case "Fn::Sub" -> sub(arg, at);
      case "Fn::GetAtt" -> getAtt(arg, at);
      case "Fn::Join" -> join(arg, at);
      case "Fn::Select" -> select(arg, at);
      case "Fn::Split" -> split(arg, at);
      default -> throw new DescriptorException(file, at, fn + " is not evaluated by the harness (it knows Ref,"
          + " Fn::Sub, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split)");
    };
  }

  private String scalar(YNode arg, String fn) {
    if (arg == null || !arg.isScalar()) {
      throw new DescriptorException(file, arg, fn + " takes a name");
    }
    return arg.text();
  }

  String ref(String name, YNode at) {
    if (parameters.containsKey(name)) {
      return parameters.get(name);
    }
    if (pseudo.containsKey(name)) {
      return pseudo.get(name);
    }
    String r = resources.ref(name);
    if (r == null) {
      throw new DescriptorException(file, at, "Ref " + name + ": no parameter, pseudo parameter or resource of"
          + " that name");
    }
    return r;
  }

  private String getAtt(YNode arg, YNode at) {
    String res;
    String attr;
    if (arg.isScalar()) {
      int dot = arg.text().indexOf('.');
      if (dot < 0) {
        throw new DescriptorException(file, at, "Fn::GetAtt takes Resource.Attribute, got " + arg.text());
      }
      res = arg.text().substring(0, dot);
      attr = arg.text().substring(dot + 1);
    } else if (arg.list().size() == 2) {
      res = text(arg.list().get(0));
      attr = text(arg.list().get(1));
    } else {
      throw new DescriptorException(file, at, "Fn::GetAtt takes [Resource, Attribute]");
    }
    String value = resources.getAtt(res, attr);
    if (value == null) {
      throw new DescriptorException(file, at, "Fn::GetAtt " + res + "." + attr + ": the harness knows Arn of"
          + " functions and layers");
    }
    return value;
  }

  private String sub(YNode arg, YNode at) {
    String template;
    Map<String, String> local = new LinkedHashMap<>();
    if (arg.isScalar()) {
      template = arg.text();
    } else if (arg.isList() && arg.list().size() == 2) {
      template = text(arg.list().get(0));
      arg.list().get(1).map().forEach((k, v) -> local.put(k, text(v)));
    } else {
      throw new DescriptorException(file, at, "Fn::Sub takes a string or [string, {variables}]");
    }
    Matcher m = SUB_VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1).trim();
      String value;
      if (name.startsWith("!")) {
        value = "${" + name.substring(1) + "}";
      } else if (local.containsKey(name)) {
        value = local.get(name);
      } else if (name.contains(".") && !parameters.containsKey(name)) {
        int dot = name.indexOf('.');
        value = resources.getAtt(name.substring(0, dot), name.substring(dot + 1));
        if (value == null) {
          throw new DescriptorException(file, at, "Fn::Sub ${" + name + "}: the harness knows Arn of functions and"
              + " layers");
        }
      } else {
        value = ref(name, at);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String join(YNode arg, YNode at) {
    if (!arg.isList() || arg.list().size() != 2) {
      throw new DescriptorException(file, at, "Fn::Join takes [delimiter, [values]]");
    }
    String delimiter = text(arg.list().get(0));
    YNode values = resolve(arg.list().get(1));
    List<String> parts = new ArrayList<>();
    for (YNode v : values.list()) {
      parts.add(text(v));
    }
    return String.join(delimiter, parts);
  }

  private Object select(YNode arg, YNode at) {
    if (!arg.isList() || arg.list().size() != 2) {
      throw new DescriptorException(file, at, "Fn::Select takes [index, [values]]");
    }
    int index = Integer.parseInt(text(arg.list().get(0)));
    List<YNode> values = resolve(arg.list().get(1)).list();
    if (index < 0 || index >= values.size()) {
      throw new DescriptorException(file, at, "Fn::Select index " + index + " is outside the list of " + values.size());
    }
    return values.get(index).value();
  }

  private Object split(YNode arg, YNode at) {
    if (!arg.isList() || arg.list().size() != 2) {
      throw new DescriptorException(file, at, "Fn::Split takes [delimiter, string]");
    }
    String delimiter = text(arg.list().get(0));
    String source = text(arg.list().get(1));
    List<YNode> parts = new ArrayList<>();
    for (String p : source.split(Pattern.quote(delimiter), -1)) {
      parts.add(at.with(p));
    }
    return parts;
  }
}
