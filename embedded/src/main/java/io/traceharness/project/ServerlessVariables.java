package io.traceharness.project;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Serverless Framework's variables, resolved as {@code serverless deploy} does for what the
 * harness can know locally: {@code ${self:path}}, {@code ${opt:stage}}, {@code ${opt:region}},
 * {@code ${sls:stage}}, {@code ${env:VAR}}, {@code ${param:name}}, {@code ${file(f.json):key}},
 * {@code ${aws:region}}/{@code ${aws:accountId}}, a fallback after a comma ({@code ${opt:stage, 'dev'}},
 * nested variables resolved first), and the {@code #{…}} pseudo parameters of the
 * serverless-pseudo-parameters plugin ({@code #{AWS::Region}}, {@code #{ApiGatewayRestApi}}).
 * Sources that need an AWS account ({@code ssm}, {@code cf}, {@code s3}) are an error unless a
 * fallback is given. (Serverless Framework docs, "Variables".)
 */
final class ServerlessVariables {

  /** An innermost variable: no nested ${ or braces inside. */
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^${}]*)}");
  private static final Pattern PSEUDO = Pattern.compile("#\\{([A-Za-z0-9:]+)}");
  private static final Pattern FILE = Pattern.compile("file\\(([^)]+)\\)(?::(.*))?");
  private static final int MAX_DEPTH = 20;

  private final Path file;
  private final YNode root;
  private final Path directory;
  private final String optStage;
  private final Map<String, String> parameters;
  private final Function<String, String> env;
  private final String accountId;
  private String stage;
  private String region;

  ServerlessVariables(Path file, YNode root, String optStage, Map<String, String> parameters,
      Function<String, String> env, String accountId) {
    this.file = file;
    this.root = root;
    this.directory = file.toAbsolutePath().getParent();
    this.optStage = optStage;
    this.parameters = parameters;
    this.env = env;
    this.accountId = accountId;
  }

  /** {@code --stage}, else {@code provider.stage}, else {@code dev}. */
  String stage() {
    if (stage == null) {
      stage = optStage != null ? optStage : textOr("provider", "stage", "dev");
    }
    return stage;
  }

  /** {@code --region}, else {@code provider.region}, else {@code us-east-1}. */
  String region() {
    if (region == null) {
      String opt = parameters.get("region");
      region = opt != null ? opt : textOr("provider", "region", "us-east-1");
    }
    return region;
  }

  private String textOr(String section, String key, String fallback) {
    YNode n = root.get(section) == null ? null : root.get(section).get(key);
    if (n == null || n.text() == null) {
      return fallback;
    }
    return string(n);
  }

  /** The node with every string in it resolved. */
  YNode resolve(YNode node) {
    if (node == null || node.isNull()) {
      return node;
    }
    if (node.isScalar()) {
      return node.with(string(node));
    }
    if (node.isList()) {
      List<YNode> items = new ArrayList<>();
      node.list().forEach(i -> items.add(resolve(i)));
      return node.with(items);
    }
    Map<String, YNode> m = new LinkedHashMap<>();
    node.map().forEach((k, v) -> m.put(k, resolve(v)));
    return node.with(m);
  }

  /** A scalar with its variables resolved. */
  String string(YNode at) {
    return resolveText(at.text(), at, 0);
  }

  private String resolveText(String text, YNode at, int depth) {
    if (text == null) {
      return null;
    }
    if (depth > MAX_DEPTH) {
      throw new DescriptorException(file, at, "variables nest deeper than " + MAX_DEPTH + " (a cycle?): " + text);
    }
    String s = text;
    Matcher m = VARIABLE.matcher(s);
    while (m.find()) {
      String value = variable(m.group(1), at, depth);
      s = s.substring(0, m.start()) + value + s.substring(m.end());
      m = VARIABLE.matcher(s);
    }
    return pseudo(s, at);
  }

  private String variable(String expression, YNode at, int depth) {
    String[] parts = splitFallback(expression);
    String source = parts[0].trim();
    String value = source.isEmpty() ? null : lookup(source, at, depth, parts.length > 1);
    if (value != null) {
      return value;
    }
    if (parts.length > 1) {
      return literal(parts[1].trim(), at, depth);
    }
    throw new DescriptorException(file, at, "${" + expression + "} has no value and no fallback"
        + hint(source));
  }

  private String hint(String source) {
    if (source.startsWith("opt:")) {
      return "; pass it with Project.parameter(\"" + source.substring(4) + "\", …)";
    }
    if (source.startsWith("env:")) {
      return "; set " + source.substring(4) + " in the environment";
    }
    return "";
  }

  /** A fallback: a quoted string, a number or boolean, or another variable source. */
  private String literal(String fallback, YNode at, int depth) {
    if (fallback.length() >= 2 && (fallback.startsWith("'") && fallback.endsWith("'")
        || fallback.startsWith("\"") && fallback.endsWith("\""))) {
      return fallback.substring(1, fallback.length() - 1);
    }
    if (fallback.matches("-?\\d+(\\.\\d+)?|true|false|null")) {
      return fallback;
    }
    return variable(fallback, at, depth + 1);
  }

  private static String[] splitFallback(String expression) {
    int comma = -1;
    char quote = 0;
    for (int i = 0; i < expression.length(); i++) {
      char c = expression.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(') {
        int close = expression.indexOf(')', i);
        i = close < 0 ? i : close;
      } else if (c == ',') {
        comma = i;
        break;
      }
    }
    return comma < 0 ? new String[] {expression} : new String[] {expression.substring(0, comma),
        expression.substring(comma + 1)};
  }

  /** The value of one source, or {@code null} when it has none (a fallback applies). */
  private String lookup(String source, YNode at, int depth, boolean hasFallback) {
    Matcher f = FILE.matcher(source);
    if (f.matches()) {
      return fromFile(f.group(1).trim(), f.group(2), at, hasFallback);
    }
    int colon = source.indexOf(':');
    if (colon < 0) {
      throw new DescriptorException(file, at, "${" + source + "} is not a variable the harness knows: use self:, opt:,"
          + " sls:, env:, param:, file(…), aws:");
    }
    String kind = source.substring(0, colon);
    String address = source.substring(colon + 1).trim();
    return switch (kind) {
      case "self" -> fromSelf(address, at, depth);
      case "opt" -> switch (address) {
        case "stage" -> optStage;
        case "region" -> parameters.get("region");
        default -> parameters.get(address);
      };
      case "param" -> parameters.get(address);
      case "sls" -> switch (address) {
        case "stage" -> stage();
        case "instanceId" -> "traceharness";
        default -> throw new DescriptorException(file, at, "${sls:" + address + "} is not known; sls: has stage"
            + " and instanceId");
      };
      case "env" -> env.apply(address);
      case "aws" -> switch (address) {
        case "region" -> region();
        case "accountId" -> accountId;
        default -> throw new DescriptorException(file, at, "${aws:" + address + "} is not known; aws: has region and"
            + " accountId");
      };
      case "ssm", "cf", "s3", "secretsmanager" -> {
        if (hasFallback) {
          yield null;
        }
        throw new DescriptorException(file, at, "${" + source + "} reads from an AWS account, which the harness does"
            + " not have; give it a fallback (${" + source + ", 'value'}) or a param");
      }
      default -> throw new DescriptorException(file, at, "${" + source + "}: variable source " + kind
          + " is not one the harness resolves (self, opt, sls, env, param, file, aws)");
    };
  }

  private String fromSelf(String address, YNode at, int depth) {
    YNode n = root;
    for (String key : address.split("\\.")) {
      n = n == null ? null : n.get(key);
    }
    if (n == null || n.isNull()) {
      if (address.equals("provider.stage")) {
        return stage();
      }
      if (address.equals("provider.region")) {
        return region();
      }
      return null;
    }
    if (!n.isScalar()) {
      throw new DescriptorException(file, at, "${self:" + address + "} is a " + (n.isMap() ? "map" : "list")
          + " (line " + n.line() + "); only text values can be put into a string here");
    }
    return resolveText(n.text(), n, depth + 1);
  }

  private String fromFile(String name, String address, YNode at, boolean hasFallback) {
    Path p = directory.resolve(name.replaceFirst("^\\./", ""));
    if (!Files.isRegularFile(p)) {
      if (hasFallback) {
        return null;
      }
      throw new DescriptorException(file, at, "${file(" + name + ")…}: " + p + " does not exist"
          + (name.endsWith("env.json") ? " (copy env.json.template to env.json and fill it in)" : ""));
    }
    YNode content = Descriptors.load(p);
    if (address == null || address.isBlank()) {
      if (!content.isScalar()) {
        throw new DescriptorException(file, at, "${file(" + name + ")} is not text; name a key: ${file(" + name
            + "):key}");
      }
      return content.text();
    }
    YNode n = content;
    for (String key : address.trim().split("\\.")) {
      n = n == null ? null : n.get(key);
    }
    if (n == null || n.isNull()) {
      if (hasFallback) {
        return null;
      }
      throw new DescriptorException(file, at, "${file(" + name + "):" + address + "}: " + name + " has no key "
          + address);
    }
    if (!n.isScalar()) {
      throw new DescriptorException(file, at, "${file(" + name + "):" + address + "} is not text");
    }
    return n.text();
  }

  /** serverless-pseudo-parameters: {@code #{AWS::Region}}, {@code #{ApiGatewayRestApi}}, … */
  private String pseudo(String s, YNode at) {
    Matcher m = PSEUDO.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value = switch (name) {
        case "AWS::Region" -> region();
        case "AWS::AccountId" -> accountId;
        case "AWS::Partition" -> "aws";
        case "AWS::URLSuffix" -> "amazonaws.com";
        case "AWS::StackName" -> (root.text("service") == null ? "service" : root.text("service")) + "-" + stage();
        case "ApiGatewayRestApi" -> ApiIds.REST;
        case "HttpApi" -> ApiIds.HTTP;
        default -> throw new DescriptorException(file, at, "#{" + name + "}: the harness resolves AWS::Region,"
            + " AWS::AccountId, AWS::Partition, AWS::URLSuffix, AWS::StackName, ApiGatewayRestApi and HttpApi");
      };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
