package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The unnamed prepared statement lives until the next unnamed Parse or simple Query, across Syncs (protocol docs,
 * "Extended Query"): through pgmux it follows its client to whichever server the client's next request gets,
 * and no client ever binds another client's unnamed statement. Each case is compared with a direct connection.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnnamedStatementIT {
    private static final int INT4 = 23;
    private final PostgresCluster cluster;

    UnnamedStatementIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private static String answers(RawPgClient client) {
        List<BackendMessage> reply = client.readUntilReady();
        StringBuilder s = new StringBuilder(Raw.summary(reply));
        for (BackendMessage each : reply) {
            if (each.type() == 'D') {
                s.append(' ').append(each.dataRowText());
            }
        }
        return s.toString();
    }

    @Test
    void parseAndDescribeThenBindAfterSyncOnAnotherServer() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient direct = Raw.direct(cluster);
             RawPgClient first = proxy.rawLogin();
             RawPgClient second = proxy.rawLogin()) {
            // first holds one server, so the Parse lands on the other; second then holds that one, and once
            // first lets go the Bind can only land on the server that never saw the Parse.
            Raw.command(first, "begin");
            int firstPid = Raw.pid(first);
            for (RawPgClient each : List.of(direct, client)) {
                each.parse("", "select 'mine' as who, $1::int + 1 as n", INT4);
                each.describeStatement("");
                each.sync();
            }
            List<BackendMessage> describedDirect = direct.readUntilReady();
            List<BackendMessage> described = client.readUntilReady();
            assertEquals(Raw.types(describedDirect), Raw.types(described));
            for (int i = 0; i < described.size(); i++) {
                assertEquals(Arrays.toString(describedDirect.get(i).body()), Arrays.toString(described.get(i).body()));
            }
            Raw.command(second, "begin");
            assertNotEquals(firstPid, Raw.pid(second));
            Raw.command(first, "commit");
            for (RawPgClient each : List.of(direct, client)) {
                each.bind("", "", "41");
                each.execute("", 0);
                each.sync();
            }
            assertEquals(answers(direct), answers(client));
            Raw.command(second, "commit");
        }
    }

    @Test
    void aSimpleQueryDropsTheUnnamedStatementAndAnotherClientsIsNeverBound() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin();
             RawPgClient direct = Raw.direct(cluster)) {
            for (RawPgClient each : List.of(direct, a)) {
                new Wire().parse("", "select 'a'").sync().sendTo(each);
                assertEquals("1Z", Raw.types(each.readUntilReady()));
                Raw.queryOne(each, "select 1");
            }
            new Wire().parse("", "select 'b'").sync().sendTo(b); // the only server's unnamed statement is b's now
            assertEquals("1Z", Raw.types(b.readUntilReady()));
            for (RawPgClient each : List.of(direct, a)) {
                new Wire().bind("", "").execute("").sync().sendTo(each);
            }
            String expected = answers(direct);
            assertEquals("E(ERROR 26000) Z(I)", expected);
            assertEquals(expected, answers(a));
        }
    }

    @Test
    void aClientsUnnamedStatementSurvivesAnotherClientsUnnamedParseOnTheSameServer() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            new Wire().parse("", "select 'a'").sync().sendTo(a);
            assertEquals("1Z", Raw.types(a.readUntilReady()));
            new Wire().parse("", "select 'b'").bind("", "").execute("").sync().sendTo(b);
            assertEquals("12DCZ", Raw.types(b.readUntilReady()));
            new Wire().bind("", "").execute("").sync().sendTo(a);
            assertEquals("2 D C Z(I) [a]", answers(a));
            new Wire().bind("", "").execute("").sync().sendTo(b);
            assertEquals("2 D C Z(I) [b]", answers(b));
        }
    }

    @Test
    void afterAFailedUnnamedParseThereIsNoUnnamedStatementOnAnyServer() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient direct = Raw.direct(cluster);
             RawPgClient holder = proxy.rawLogin()) {
            for (RawPgClient each : List.of(direct, client)) {
                new Wire().parse("", "select 'ok'").sync().sendTo(each);
                each.readUntilReady();
                new Wire().parse("", "selec nothing").sync().sendTo(each);
            }
            assertEquals(answers(direct), answers(client));
            Raw.command(holder, "begin");
            for (RawPgClient each : List.of(direct, client)) {
                new Wire().bind("", "").execute("").sync().sendTo(each);
            }
            assertEquals(answers(direct), answers(client));
            Raw.command(holder, "commit");
        }
    }

    @Test
    void bindingTheUnnamedStatementAgainAndAgainOnAlternatingServers() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient holder = proxy.rawLogin()) {
            new Wire().parse("", "select $1::int * 2").sync().sendTo(client);
            assertEquals("1Z", Raw.types(client.readUntilReady()));
            for (int i = 0; i < 6; i++) {
                if (i % 2 == 0) {
                    Raw.command(holder, "begin");
                } else {
                    Raw.command(holder, "commit");
                }
                client.bind("", "", Integer.toString(i));
                client.execute("", 0);
                client.sync();
                assertEquals("2 D C Z(I) [" + (2 * i) + "]", answers(client));
            }
        }
    }
}
