package io.pgmux.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** pgmux's release, as Maven stamped it into the build (version.properties beside this class). */
final class Release {
    private Release() {
    }

    /** E.g. "0.1.0-SNAPSHOT"; "unknown" in a build that did not stamp it. */
    static String version() {
        Properties props = new Properties();
        try (InputStream in = Release.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pgmux's version.properties", e);
        }
        String version = props.getProperty("version", "unknown");
        return version.startsWith("${") ? "unknown" : version;
    }
}
