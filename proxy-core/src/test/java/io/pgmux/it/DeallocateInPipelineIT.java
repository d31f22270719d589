package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DEALLOCATE, DEALLOCATE ALL, DISCARD ALL and Close act on the client's statement names at their place in the
 * stream: a Parse pipelined after them finds the name free, and a name they free before it stays defined after
 * it. A DEALLOCATE that fails leaves the names as they were. Each case side by side with a direct connection.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeallocateInPipelineIT {
    private final PostgresCluster cluster;

    DeallocateInPipelineIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private static String answers(RawPgClient client, int readies) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < readies; i++) {
            List<BackendMessage> reply = client.readUntilReady();
            s.append(s.length() == 0 ? "" : " | ").append(Raw.summary(reply));
            for (BackendMessage each : reply) {
                if (each.type() == 'D') {
                    s.append(' ').append(each.dataRowText());
                }
            }
        }
        return s.toString();
    }

    /** Runs each step on a direct connection and through pgmux (pool of one); their answers must match. */
    private void sameOnBoth(Wire... steps) {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient other = proxy.rawLogin();
             RawPgClient direct = Raw.direct(cluster)) {
            new Wire().parse("a", "select 'a'").sync().sendTo(other); // another client shares the text
            assertEquals("1Z", Raw.types(other.readUntilReady()));
            for (Wire step : steps) {
                int readies = readies(step);
                step.sendTo(direct);
                step.sendTo(client);
                assertEquals(answers(direct, readies), answers(client, readies));
            }
            new Wire().bind("", "a").execute("").sync().sendTo(other);
            assertEquals("2 D C Z(I) [a]", answers(other, 1), "the other client's statement of the same text");
        }
    }

    private static int readies(Wire step) {
        int count = 0;
        byte[] bytes = step.bytes();
        for (int at = 0; at < bytes.length; ) {
            char tag = (char) bytes[at];
            if (tag == 'S' || tag == 'Q') {
                count++;
            }
            at += 1 + java.nio.ByteBuffer.wrap(bytes, at + 1, 4).getInt();
        }
        return count;
    }

    private static Wire run(String name) {
        return new Wire().bind("", name).execute("").sync();
    }

    @Test
    void deallocateAllThenParseOfANewNameInOnePipeline() {
        sameOnBoth(new Wire().parse("a", "select 'a'").sync(),
                new Wire().query("DEALLOCATE ALL").parse("y", "select 'y'").sync(),
                run("y"), run("a"));
    }

    @Test
    void deallocateAllThroughTheExtendedProtocolThenParseOfANewName() {
        sameOnBoth(new Wire().parse("a", "select 'a'").sync(),
                new Wire().parse("", "DEALLOCATE ALL").bind("", "").execute("").parse("y", "select 'y'").sync(),
                run("y"), run("a"));
    }

    @Test
    void discardAllThenParseOfTheSameName() {
        sameOnBoth(new Wire().parse("a", "select 'a'").sync(),
                new Wire().query("DISCARD ALL").parse("a", "select 'again'").sync(),
                run("a"));
    }

    @Test
    void deallocateThenParseOfTheSameNameWithAnotherText() {
        sameOnBoth(new Wire().parse("a", "select 'a'").sync(),
                new Wire().query("DEALLOCATE a").parse("a", "select 'new a'").sync(),
                run("a"));
    }

    @Test
    void deallocateThroughTheExtendedProtocolThenParseOfTheSameName() {
        sameOnBoth(new Wire().parse("a", "select 'a'").sync(),
                new Wire().parse("", "DEALLOCATE a").bind("", "").execute("").parse("a", "select 'new a'").sync(),
                run("a"));
    }

    @Test
    void closeThenParseOfTheSameNameWithAnotherText() {
        sameOnBoth(new Wire().parse("a", "select 'a'").sync(),
                new Wire().closeStatement("a").parse("a", "select 'new a'").sync(),
                run("a"));
    }

    @Test
    void aDeallocateAllThatFailsInAnAbortedTransactionKeepsTheNames() {
        sameOnBoth(new Wire().parse("a", "select 'a'").sync(),
                new Wire().query("begin").query("select 1/0").query("DEALLOCATE ALL").query("rollback"),
                run("a"));
    }

    @Test
    void aCloseSkippedAfterAnErrorKeepsTheName() {
        sameOnBoth(new Wire().parse("a", "select 'a'").sync(),
                new Wire().parse("", "select 1/0").bind("", "").execute("").closeStatement("a").sync(),
                run("a"));
    }
}
