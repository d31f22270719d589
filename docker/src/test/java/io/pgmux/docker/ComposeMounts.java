package io.pgmux.docker;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The bind mounts of a compose service: where a path inside its container comes from in docker/. */
final class ComposeMounts {
    private ComposeMounts() {
    }

    record Mount(Path source, String target, boolean readOnly) {
    }

    static List<Mount> of(Map<String, Object> service) {
        return YamlFiles.list(service.get("volumes"), "volumes").stream().map(String::valueOf).map(volume -> {
            String[] parts = volume.split(":");
            return new Mount(Repository.DOCKER.resolve(parts[0]).normalize(), parts[1],
                    parts.length > 2 && parts[2].equals("ro"));
        }).toList();
    }

    /** The file in docker/ that {@code containerPath} shows, through the service's mounts. */
    static Path hostPath(Map<String, Object> service, String containerPath) {
        for (Mount mount : of(service)) {
            if (containerPath.equals(mount.target())) {
                return mount.source();
            }
            if (containerPath.startsWith(mount.target() + "/")) {
                return mount.source().resolve(containerPath.substring(mount.target().length() + 1)).normalize();
            }
        }
        throw new AssertionError(containerPath + " is not mounted: " + of(service));
    }
}
