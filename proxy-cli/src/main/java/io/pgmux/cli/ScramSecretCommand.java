package io.pgmux.cli;

import io.pgmux.auth.ScramSecret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pgmux scram-secret}: prints the SCRAM-SHA-256 verifier PostgreSQL would store for a password, so
 * {@code users[].password} can hold the verifier instead of the password. The password comes from a prompt
 * without echo on a terminal, else from standard input, never from the command line (where {@code ps} and shell
 * history would show it).
 */
@Command(name = "scram-secret", mixinStandardHelpOptions = true,
        description = {"Print the SCRAM-SHA-256 verifier of a password, as PostgreSQL stores it in"
                + " pg_authid.rolpassword, for users[].password.",
            "On a terminal the password is asked for twice, without echo; otherwise it is read from standard"
                + " input (one line)."},
        footer = {"", "Example:", "  printf '%s\\n' \"$PASSWORD\" | java -jar pgmux.jar scram-secret"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the verifier was printed",
                "1:no password (empty input), the two entries differ, or the input is not one line of UTF-8",
                "2:invalid options"})
public final class ScramSecretCommand implements Callable<Integer> {
    /** PostgreSQL's default {@code scram_iterations}. */
    static final int DEFAULT_ITERATIONS = ScramSecret.DEFAULT_ITERATIONS;
    /** Beyond this every login would cost clients seconds of key derivation; pgmux refuses such servers too. */
    static final int MAX_ITERATIONS = 10_000_000;
    /** More than any password; what stops a mistaken pipe from a large file. */
    private static final int MAX_INPUT = 64 << 10;

    /** Reads a password without echo; null at end of input. The terminal's {@link Console} in production. */
    interface PasswordPrompt {
        char[] readPassword(String prompt);
    }

    @Option(names = "--iterations", paramLabel = "N", description = "PBKDF2 iterations (default: ${DEFAULT-VALUE},"
            + " PostgreSQL's scram_iterations default).")
    private int iterations = DEFAULT_ITERATIONS;

    private final InputStream stdin;
    private final PrintStream stdout;
    private final PrintStream stderr;
    private final Optional<PasswordPrompt> prompt;

    public ScramSecretCommand() {
        this(System.in, System.out, System.err, terminal());
    }

    /** @param prompt empty when there is no terminal: the password is then read from {@code stdin} */
    ScramSecretCommand(InputStream stdin, PrintStream stdout, PrintStream stderr, Optional<PasswordPrompt> prompt) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.prompt = prompt;
    }

    private static Optional<PasswordPrompt> terminal() {
        return Optional.ofNullable(System.console()).map(console -> console::readPassword);
    }

    @Override
    public Integer call() {
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            stderr.println("pgmux scram-secret: --iterations must be from 1 to " + MAX_ITERATIONS + ", got "
                    + iterations);
            return 2;
        }
        char[] password = prompt.isPresent() ? fromPrompt(prompt.get()) : fromStdin();
        if (password == null) {
            return 1;
        }
        try {
            byte[] salt = new byte[ScramSecret.DEFAULT_SALT_LENGTH];
            new SecureRandom().nextBytes(salt);
            stdout.println(ScramSecret.fromPassword(new String(password), salt, iterations));
            return 0;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private char[] fromPrompt(PasswordPrompt prompt) {
        char[] first = prompt.readPassword("Password: ");
        if (first == null || first.length == 0) {
            stderr.println("pgmux scram-secret: no password given");
            return null;
        }
        char[] again = prompt.readPassword("Enter it again: ");
        boolean same = again != null && Arrays.equals(first, again);
        if (again != null) {
            Arrays.fill(again, '\0');
        }
        if (!same) {
            Arrays.fill(first, '\0');
            stderr.println("pgmux scram-secret: the passwords do not match");
            return null;
        }
        return first;
    }

    /** One line: the trailing line break is not part of the password, anything else is (spaces included). */
    private char[] fromStdin() {
        byte[] input;
        try {
            input = readUpTo(stdin, MAX_INPUT + 1);
        } catch (IOException e) {
            stderr.println("pgmux scram-secret: cannot read standard input: " + e.getMessage());
            return null;
        }
        if (input.length > MAX_INPUT) {
            stderr.println("pgmux scram-secret: standard input is longer than " + MAX_INPUT + " bytes; expected one"
                    + " line with the password");
            return null;
        }
        int length = input.length;
        if (length > 0 && input[length - 1] == '\n') {
            length--;
            if (length > 0 && input[length - 1] == '\r') {
                length--;
            }
        }
        char[] password;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(input, 0, length));
            password = Arrays.copyOf(chars.array(), chars.limit());
            Arrays.fill(chars.array(), '\0');
        } catch (CharacterCodingException e) {
            stderr.println("pgmux scram-secret: standard input is not valid UTF-8");
            return null;
        } finally {
            Arrays.fill(input, (byte) 0);
        }
        if (password.length == 0) {
            stderr.println("pgmux scram-secret: no password on standard input");
            return null;
        }
        for (char c : password) {
            if (c == '\n') {
                Arrays.fill(password, '\0');
                stderr.println("pgmux scram-secret: standard input has more than one line; expected one line with"
                        + " the password");
                return null;
            }
        }
        return password;
    }

    private static byte[] readUpTo(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        int n;
        while (out.size() < limit && (n = in.read(buffer, 0, Math.min(buffer.length, limit - out.size()))) > 0) {
            out.write(buffer, 0, n);
        }
        Arrays.fill(buffer, (byte) 0);
        return out.toByteArray();
    }
}
