package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileAccessTest {
    private static final String WITH_PASSWORDS = """
            databases:
              app: {host: db, port: 5432, password: s3cret}
            users:
              - name: api
                password: ${API_PASSWORD}
              - name: batch
                password: md5d4350290006a60f4f340de539f4c7f88
                server_password: other
            """;

    @TempDir
    Path dir;

    private Path file(String text, String permissions) throws Exception {
        Path file = dir.resolve("pgmux.yaml");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void findsPasswordsWrittenInTheFileButNotThoseFromTheEnvironment() {
        assertEquals(List.of("databases.app.password", "users[1].password", "users[1].server_password"),
                ConfigFileAccess.secretsIn(WITH_PASSWORDS));
        assertEquals(List.of(), ConfigFileAccess.secretsIn("users:\n  - {name: a, password: '${A}${B}'}\n"));
    }

    @Test
    void warnsWhenOthersCanReadAFileWithPasswords() throws Exception {
        Path file = file(WITH_PASSWORDS, "rw-r--r--");
        Optional<String> warning = ConfigFileAccess.warning(file, WITH_PASSWORDS);
        assertTrue(warning.isPresent());
        assertTrue(warning.get().contains("every user may read it (rw-r--r--)"), warning.get());
        assertTrue(warning.get().contains("users[1].password"), warning.get());
        assertFalse(warning.get().contains("s3cret"), "a warning never quotes a password: " + warning.get());
        assertTrue(ConfigFileAccess.warning(file(WITH_PASSWORDS, "rw-r-----"), WITH_PASSWORDS).get()
                .contains("its group may read it (rw-r-----)"));
    }

    @Test
    void saysNothingForAPrivateFileOrOneWithoutPasswords() throws Exception {
        assertEquals(Optional.empty(), ConfigFileAccess.warning(file(WITH_PASSWORDS, "rw-------"), WITH_PASSWORDS));
        String noSecrets = "users:\n  - {name: api, password: '${API_PASSWORD}'}\n";
        assertEquals(Optional.empty(), ConfigFileAccess.warning(file(noSecrets, "rw-rw-rw-"), noSecrets));
    }
}
