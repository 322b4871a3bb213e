package io.traceharness.project;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a YAML (or JSON) descriptor into {@link YNode}s. SnakeYAML's composer keeps each node's
 * start mark (the line) and leaves CloudFormation's short-form tags ({@code !Ref}, {@code !Sub},
 * {@code !GetAtt}, {@code !Join}…) on the nodes instead of failing on them as its constructor would,
 * so {@link Intrinsics} can read them as the long forms.
 */
final class Descriptors {

  private Descriptors() {
  }

  static YNode load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + " does not exist");
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    try (Reader r = Files.newBufferedReader(file)) {
      Node root = new Yaml(options).compose(r);
      if (root == null) {
        throw new DescriptorException(file, null, "the file is empty");
      }
      return convert(root, "");
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new IllegalArgumentException(file.getFileName() + ": line " + (m == null ? "?" : m.getLine() + 1)
          + ": not valid YAML: " + e.getProblem(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static YNode convert(Node node, String path) {
    int line = node.getStartMark().getLine() + 1;
    String tag = node.getTag().getValue();
    String local = tag.startsWith("!") ? tag : null;
    if (node instanceof ScalarNode s) {
      boolean isNull = local == null && tag.equals("tag:yaml.org,2002:null");
      return new YNode(isNull ? null : s.getValue(), local, line, path);
    }
    if (node instanceof SequenceNode seq) {
      List<YNode> items = new ArrayList<>();
      for (int i = 0; i < seq.getValue().size(); i++) {
        items.add(convert(seq.getValue().get(i), path + "[" + i + "]"));
      }
      return new YNode(items, local, line, path);
    }
    MappingNode map = (MappingNode) node;
    Map<String, YNode> entries = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : String.valueOf(t.getKeyNode());
      entries.put(key, convert(t.getValueNode(), path.isEmpty() ? key : path + "." + key));
    }
    return new YNode(entries, local, line, path);
  }
}
