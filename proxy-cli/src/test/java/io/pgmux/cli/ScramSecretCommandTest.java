package io.pgmux.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.auth.ScramSecret;
import io.pgmux.config.StoredPassword;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code pgmux scram-secret}: what it prints, what it reads, and its exit codes. */
class ScramSecretCommandTest {
    /** One run: exit code and what went to each stream. */
    private record Run(int exitCode, String stdout, String stderr) {
        ScramSecret secret() {
            assertEquals(0, exitCode, stderr);
            assertTrue(stdout.endsWith(System.lineSeparator()), stdout);
            assertEquals(1, stdout.lines().count(), stdout);
            return ScramSecret.parse(stdout.strip());
        }
    }

    private static Run run(byte[] stdin, Optional<ScramSecretCommand.PasswordPrompt> prompt, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ScramSecretCommand command = new ScramSecretCommand(new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                prompt);
        CommandLine line = new CommandLine(command);
        line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        int exit = line.execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run piped(String stdin, String... args) {
        return run(stdin.getBytes(StandardCharsets.UTF_8), Optional.empty(), args);
    }

    /** A terminal that answers the prompts in order and remembers them. */
    private static final class FakeTerminal implements ScramSecretCommand.PasswordPrompt {
        final Deque<String> answers;
        final List<String> prompts = new ArrayList<>();

        FakeTerminal(String... answers) {
            this.answers = new ArrayDeque<>(Arrays.asList(answers));
        }

        @Override
        public char[] readPassword(String prompt) {
            prompts.add(prompt);
            String answer = answers.poll();
            return answer == null ? null : answer.toCharArray();
        }
    }

    @Test
    void printsAVerifierPostgresqlWouldAccept() {
        ScramSecret secret = piped("pencil\n").secret();
        assertEquals(4096, secret.iterations());
        assertEquals(16, secret.salt().length);
        assertTrue(secret.matchesPassword("pencil"));
        assertFalse(secret.matchesPassword("pencil\n"));
    }

    @Test
    void everyRunHasItsOwnSalt() {
        assertNotEquals(piped("pencil\n").stdout(), piped("pencil\n").stdout());
    }

    @Test
    void iterationsCanBeChosen() {
        ScramSecret secret = piped("pencil\n", "--iterations", "10").secret();
        assertEquals(10, secret.iterations());
        assertTrue(secret.matchesPassword("pencil"));
    }

    @Test
    void onlyTheLineBreakIsStripped() {
        assertTrue(piped("pencil\r\n").secret().matchesPassword("pencil"));
        assertTrue(piped(" pen cil ").secret().matchesPassword(" pen cil "), "no line break at all is fine");
        assertTrue(piped("p\u00e4ssw\u00f6rd\n").secret().matchesPassword("p\u00e4ssw\u00f6rd"));
    }

    @Test
    void refusesInputThatIsNotOnePassword() {
        Run empty = piped("");
        assertEquals(1, empty.exitCode());
        assertEquals("", empty.stdout());
        assertEquals("pgmux scram-secret: no password on standard input" + System.lineSeparator(), empty.stderr());
        assertEquals(1, piped("\n").exitCode());
        Run twoLines = piped("first\nsecond\n");
        assertEquals(1, twoLines.exitCode());
        assertTrue(twoLines.stderr().contains("more than one line"), twoLines.stderr());
        Run notUtf8 = run(new byte[] {'p', (byte) 0xC3, '\n'}, Optional.empty());
        assertEquals(1, notUtf8.exitCode());
        assertTrue(notUtf8.stderr().contains("not valid UTF-8"), notUtf8.stderr());
        Run huge = run(new byte[70_000], Optional.empty());
        assertEquals(1, huge.exitCode());
        assertTrue(huge.stderr().contains("longer than"), huge.stderr());
    }

    @Test
    void badOptionsExitWithTwo() {
        assertEquals(2, piped("pencil\n", "--iterations", "0").exitCode());
        assertEquals(2, piped("pencil\n", "--iterations", "10000001").exitCode());
        assertEquals(2, piped("pencil\n", "--iterations", "many").exitCode());
        assertEquals(2, piped("pencil\n", "pencil").exitCode(), "the password is never an argument");
    }

    @Test
    void onATerminalItAsksTwiceWithoutEcho() {
        FakeTerminal terminal = new FakeTerminal("pencil", "pencil");
        Run ok = run(new byte[0], Optional.of(terminal));
        assertTrue(ok.secret().matchesPassword("pencil"));
        assertEquals(List.of("Password: ", "Enter it again: "), terminal.prompts);

        Run mismatch = run(new byte[0], Optional.of(new FakeTerminal("pencil", "pen")));
        assertEquals(1, mismatch.exitCode());
        assertEquals("", mismatch.stdout());
        assertTrue(mismatch.stderr().contains("do not match"));

        assertEquals(1, run(new byte[0], Optional.of(new FakeTerminal())).exitCode(), "end of input at the prompt");
        assertEquals(1, run(new byte[0], Optional.of(new FakeTerminal("", ""))).exitCode());
        assertEquals(1, run(new byte[0], Optional.of(new FakeTerminal("pencil"))).exitCode());
    }

    @Test
    void isASubcommandWithDocumentedExitCodes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine pgmux = new CommandLine(new PgmuxCommand());
        pgmux.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        assertEquals(0, pgmux.execute("scram-secret", "--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("Usage: pgmux scram-secret"), help);
        assertTrue(help.contains("Exit codes:"), help);
        assertTrue(help.contains("--iterations=N"), help);
    }

    @Test
    void theVerifierIsTheConfigurationsForm() {
        ScramSecret secret = piped("pencil\n").secret();
        assertArrayEquals(secret.storedKey(), StoredPassword.ScramSha256.parse(secret.toString())
                .storedKey());
    }
}
