package io.pgmux.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Whether a configuration file that holds passwords can be read by others than its owner. A password written in
 * the file ({@code password}, {@code server_password}; plaintext, an md5 hash or a SCRAM verifier, all of which
 * let their holder log in somewhere) is a secret; one taken from the environment ({@code ${VAR}}) is not in the
 * file. As libpq does for a password file that has group or world access, pgmux warns (it does not refuse: the
 * file may be shared on purpose, e.g. with a group that deploys it).
 */
public final class ConfigFileAccess {
    private static final Set<String> SECRET_KEYS = Set.of("password", "server_password");
    private static final Pattern ONLY_ENV_REFERENCES = Pattern.compile("(\\$\\{[A-Za-z_][A-Za-z0-9_]*})+");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private ConfigFileAccess() {
    }

    /** {@link #warning(Path, String)} with the file's own text; empty when it cannot be read (loading says why). */
    public static Optional<String> warning(Path file) {
        try {
            return warning(file, Files.readString(file, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The warning for {@code file}, whose text is {@code yaml}, or empty when it holds no password, grants nobody
     * but its owner access, or lives on a file system without POSIX permissions.
     *
     * @return e.g. {@code pgmux.yaml holds passwords (users[0].password) and every user may read it (rw-r--r--); ...}
     */
    public static Optional<String> warning(Path file, String yaml) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty();
        }
        Set<PosixFilePermission> granted = EnumSet.noneOf(PosixFilePermission.class);
        granted.addAll(permissions);
        granted.retainAll(OTHERS);
        if (granted.isEmpty()) {
            return Optional.empty();
        }
        List<String> secrets = secretsIn(yaml);
        if (secrets.isEmpty()) {
            return Optional.empty();
        }
        boolean world = granted.contains(PosixFilePermission.OTHERS_READ)
                || granted.contains(PosixFilePermission.OTHERS_WRITE);
        return Optional.of(file + " holds passwords (" + String.join(", ", secrets) + ") and "
                + (world ? "every user" : "its group") + " may read it ("
                + PosixFilePermissions.toString(permissions) + "); let only its owner read it (chmod 600), or take"
                + " the passwords from the environment (${VAR})");
    }

    /** The key paths of passwords written in the text, e.g. {@code users[0].password}. */
    static List<String> secretsIn(String yaml) {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(yaml));
        } catch (YAMLException e) {
            return List.of(); // the loader reports what is wrong with the file
        }
        List<String> found = new ArrayList<>();
        walk(root, "", found);
        return found;
    }

    private static void walk(Node node, String path, List<String> found) {
        if (node instanceof MappingNode) {
            for (NodeTuple each : ((MappingNode) node).getValue()) {
                if (!(each.getKeyNode() instanceof ScalarNode)) {
                    continue;
                }
                String key = ((ScalarNode) each.getKeyNode()).getValue();
                String childPath = path.isEmpty() ? key : path + "." + key;
                Node value = each.getValueNode();
                if (SECRET_KEYS.contains(key) && value instanceof ScalarNode) {
                    String text = ((ScalarNode) value).getValue().strip();
                    if (!text.isEmpty() && !ONLY_ENV_REFERENCES.matcher(text).matches()) {
                        found.add(childPath);
                    }
                } else {
                    walk(value, childPath, found);
                }
            }
        } else if (node instanceof SequenceNode) {
            List<Node> items = ((SequenceNode) node).getValue();
            for (int i = 0; i < items.size(); i++) {
                walk(items.get(i), path + "[" + i + "]", found);
            }
        }
    }
}
