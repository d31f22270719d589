package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PgmuxMain;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send part of a large message and stall make pgmux keep what they sent, gathering the message whole.
 * What all clients' partial messages hold together is bounded (half the process's direct memory): of two clients
 * whose messages do not fit together, the one with the larger message gets FATAL 53200 and is closed, and of two
 * equal ones the one read second (which one pgmux reads first is the event loops' business, so the test asks which
 * was refused); the others, the one holding a partial message included, are served as before. pgmux runs in a JVM of its own here, with 32 MiB of direct memory, so the bound
 * is 16 MiB.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PartialMessagesIT {
    private static final int MIB = 1 << 20;

    private final PostgresCluster cluster;

    PartialMessagesIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /** A Query of {@code length} bytes in all: {@code select length('xx...x')}. */
    private static byte[] lengthQuery(int length) {
        byte[] head = "select length('".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "')\0".getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[length];
        message[0] = 'Q';
        int bodyLength = length - 1;
        message[1] = (byte) (bodyLength >>> 24);
        message[2] = (byte) (bodyLength >>> 16);
        message[3] = (byte) (bodyLength >>> 8);
        message[4] = (byte) bodyLength;
        System.arraycopy(head, 0, message, 5, head.length);
        Arrays.fill(message, 5 + head.length, length - tail.length, (byte) 'x');
        System.arraycopy(tail, 0, message, length - tail.length, tail.length);
        return message;
    }

    private static int literalLength(int messageLength) {
        return messageLength - 5 - "select length('".length() - "')\0".length();
    }

    @Test
    void aClientOverTheBoundGets53200AndTheOthersAreServed(@TempDir Path dir) throws Exception {
        onPgmux(dir, port -> {
            byte[] firstQuery = lengthQuery(10 * MIB);
            byte[] secondQuery = lengthQuery(10 * MIB);
            try (RawPgClient first = login(port); RawPgClient second = login(port)) {
                // Each reserves 10 MiB when pgmux reads its header; whichever is read second goes beyond 16 MiB.
                first.sendRaw(Arrays.copyOf(firstQuery, MIB));
                second.sendRaw(Arrays.copyOf(secondQuery, 64 * 1024));
                Await.until(Duration.ofSeconds(10), () -> first.hasInput() || second.hasInput(),
                        "one of the two refused");
                RawPgClient over = first.hasInput() ? first : second;
                RawPgClient holder = over == first ? second : first;
                BackendMessage error = Raw.expectFatal(over, "53200");
                assertTrue(error.errorField('M').startsWith("message of " + 10 * MIB
                        + " bytes cannot be buffered now"), error::toString);
                assertTrue(over.isClosedByPeer(Duration.ofSeconds(5)), "the client over the bound is closed");
                assertFalse(holder.hasInput(), "the other keeps its partial message");

                try (RawPgClient other = login(port)) {
                    assertEquals("1", Raw.queryOne(other, "select 1"), "another client is served meanwhile");
                }
                byte[] rest = holder == first ? Arrays.copyOfRange(firstQuery, MIB, firstQuery.length)
                        : Arrays.copyOfRange(secondQuery, 64 * 1024, secondQuery.length);
                holder.sendRaw(rest);
                List<BackendMessage> reply = holder.readUntilReady();
                assertEquals("TDCZ", Raw.types(reply));
                assertEquals(String.valueOf(literalLength(10 * MIB)), reply.get(1).dataRowText().get(0),
                        "the message kept reached the server whole");
            }
            try (RawPgClient after = login(port)) {
                after.sendRaw(Arrays.copyOf(secondQuery, MIB));
                after.sendRaw(Arrays.copyOfRange(secondQuery, MIB, secondQuery.length));
                assertEquals("TDCZ", Raw.types(after.readUntilReady()),
                        "with the holder's message handed on, its reservation is free again");
            }
        });
    }

    @Test
    void ofTwoMessagesThatDoNotFitTogetherTheLargerIsRefusedWhicheverCameFirst(@TempDir Path dir) throws Exception {
        onPgmux(dir, port -> {
            byte[] large = lengthQuery(12 * MIB);
            byte[] small = lengthQuery(6 * MIB);
            try (RawPgClient holder = login(port); RawPgClient newcomer = login(port)) {
                // 12 and 6 MiB do not fit in 16 together: the 12 MiB message gives way, read first or second.
                holder.sendRaw(Arrays.copyOf(large, MIB));
                newcomer.sendRaw(Arrays.copyOf(small, 64 * 1024));
                BackendMessage error = Raw.expectFatal(holder, "53200");
                assertTrue(error.errorField('M').startsWith("message of " + 12 * MIB
                        + " bytes cannot be buffered now"), error::toString);
                assertTrue(holder.isClosedByPeer(Duration.ofSeconds(5)), "the holder of the larger message is closed");

                newcomer.sendRaw(Arrays.copyOfRange(small, 64 * 1024, small.length));
                List<BackendMessage> reply = newcomer.readUntilReady();
                assertEquals("TDCZ", Raw.types(reply));
                assertEquals(String.valueOf(literalLength(6 * MIB)), reply.get(1).dataRowText().get(0),
                        "the smaller message reached the server whole");
            }
        });
    }

    /** What a test does with the pgmux {@link #onPgmux} started, given its port. */
    private interface OnPort {
        void run(int port) throws Exception;
    }

    /**
     * Runs {@code test} against a pgmux of its own process with 32 MiB of direct memory (a 16 MiB bound for partial
     * messages), leak detection paranoid; adds pgmux's log to a failure, and fails if the log shows a leak or an
     * OutOfMemoryError once it has stopped.
     */
    private void onPgmux(Path dir, OnPort test) throws Exception {
        Path yaml = dir.resolve("pgmux.yaml");
        Files.writeString(yaml, ProxyFixture.config(cluster).poolSize(2).yaml());
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-XX:MaxDirectMemorySize=32m",
                "-Dio.netty.leakDetection.level=paranoid",
                PgmuxMain.class.getName(), yaml.toString())
                .redirectError(dir.resolve("pgmux.log").toFile())
                .start();
        try {
            int port = listeningPort(child);
            test.run(port);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; pgmux's log:\n" + Files.readString(dir.resolve("pgmux.log")), e);
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        String log = Files.readString(dir.resolve("pgmux.log"), StandardCharsets.UTF_8);
        assertTrue(!log.contains("LEAK") && !log.contains("OutOfMemoryError"), log);
    }

    private static RawPgClient login(int port) {
        RawPgClient client = RawPgClient.connect("127.0.0.1", port);
        client.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, null);
        return client;
    }

    private static int listeningPort(Process child) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("LISTENING ")) {
                return Integer.parseInt(line.substring("LISTENING ".length()).strip());
            }
        }
        throw new AssertionError("pgmux did not start; exit " + child.waitFor());
    }
}
