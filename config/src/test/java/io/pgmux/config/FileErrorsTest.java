package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration file, hba_file and the TLS files say in the same words why one of them cannot be read. */
final class FileErrorsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void pemFiles() throws IOException {
        TestConfigs.writePemFiles(dir);
    }

    @Test
    void aMissingFile() {
        assertEveryReaderSays(dir.resolve("absent"), "no such file");
    }

    @Test
    void aDirectory() throws IOException {
        assertEveryReaderSays(Files.createDirectory(dir.resolve("folder")), "is a directory");
    }

    @Test
    void aFileWithoutReadPermission() throws IOException {
        Path file = Files.writeString(dir.resolve("private"), "databases: {app: {}}\n");
        Files.setPosixFilePermissions(file, Set.of());
        assumeFalse(Files.isReadable(file), "the superuser reads a file whatever its mode");
        assertEveryReaderSays(file, "permission denied");
    }

    @Test
    void aSymbolicLinkLoopGivesTheSystemsReasonWithoutThePathAgain() throws IOException {
        Path loop = Files.createSymbolicLink(dir.resolve("loop"), dir.resolve("loop"));
        FileSystemException error = assertThrows(FileSystemException.class, () -> Files.readString(loop));
        assertEquals(error.getReason(), FileErrors.reason(loop, error));
        assertEquals("cannot read " + loop + ": " + error.getReason(), FileErrors.cannotRead(loop, error));
    }

    @Test
    void anExceptionWithoutAReasonIsNamedByItsClass() {
        Path file = dir.resolve("absent");
        assertEquals("FileSystemException", FileErrors.reason(file, new FileSystemException(file.toString())));
        assertEquals("IOException", FileErrors.reason(file, new IOException()));
    }

    @Test
    void textThatIsNotUtf8() throws IOException {
        Path file = Files.write(dir.resolve("latin1"), new byte[] {'#', ' ', (byte) 0xE9, '\n'});
        assertEquals(file + ": cannot read: not valid UTF-8", configFileProblem(file));
        assertEquals("cannot read " + file + ": not valid UTF-8", hbaFileProblem(file));
    }

    /** PEM is ASCII; a binary (DER) certificate is a file that reads but holds no PEM, not one that cannot be read. */
    @Test
    void aBinaryCertificateHoldsNoPem() throws IOException {
        Path der = Files.write(dir.resolve("server.der"), new byte[] {0x30, (byte) 0x82, 0x01, (byte) 0xE9});
        assertEquals(der + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)", certFileProblem(der));
    }

    private void assertEveryReaderSays(Path file, String reason) {
        assertEquals(file + ": cannot read: " + reason, configFileProblem(file), "the configuration file");
        assertEquals("cannot read " + file + ": " + reason, hbaFileProblem(file), "hba_file");
        assertEquals("cannot read " + file + ": " + reason, certFileProblem(file), "client_tls_cert_file");
    }

    private static String configFileProblem(Path file) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(file)).getMessage();
    }

    private String hbaFileProblem(Path file) {
        return TestConfigs.problemAt(TestConfigs.problemsIn(dir, "databases: {app: {}}\nhba_file: " + file + "\n"),
                "hba_file").message();
    }

    private String certFileProblem(Path file) {
        return TestConfigs.problemAt(TestConfigs.problemsIn(dir, "client_tls_sslmode: prefer\nclient_tls_cert_file: "
                + file + "\nclient_tls_key_file: server.key\ndatabases: {app: {}}\n"), "client_tls_cert_file")
                .message();
    }
}
