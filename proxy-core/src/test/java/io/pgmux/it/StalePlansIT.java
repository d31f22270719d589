package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * pgmux shares one server-side statement per text among clients. A client that prepares a statement after a
 * schema change gets a plan made after its own Parse, as on a direct connection, never "cached plan must not
 * change result type" (0A000) from a copy another client prepared before the change.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StalePlansIT {
    private static final String QUERY = "select * from it_stale";
    private final PostgresCluster cluster;

    StalePlansIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void table() {
        ClusterAdmin.appDdlUnchecked(cluster, "drop table if exists it_stale", "create table it_stale (a int)",
                "insert into it_stale values (1)");
    }

    /** Parse, Bind, Describe portal, Execute, Sync of the statement {@code name}; the answers. */
    private static List<BackendMessage> prepareAndRun(RawPgClient client, String name) {
        new Wire().parse(name, QUERY).bind("", name).describePortal("").execute("").sync().sendTo(client);
        return client.readUntilReady();
    }

    private static List<BackendMessage> run(RawPgClient client, String name) {
        new Wire().bind("", name).describePortal("").execute("").sync().sendTo(client);
        return client.readUntilReady();
    }

    private static int columns(List<BackendMessage> reply) {
        for (BackendMessage each : reply) {
            if (each.type() == 'T') {
                return ByteBuffer.wrap(each.body()).getShort();
            }
        }
        throw new AssertionError("no RowDescription in " + reply);
    }

    /** Prepares the statement on both servers of the pool, one client holding each in a transaction. */
    private static void preparedOnBothServers(ProxyFixture proxy) {
        try (RawPgClient a = proxy.rawLogin(); RawPgClient b = proxy.rawLogin()) {
            Raw.command(a, "begin");
            Raw.command(b, "begin");
            assertEquals("12TDCZ", Raw.types(prepareAndRun(a, "old")));
            assertEquals("12TDCZ", Raw.types(prepareAndRun(b, "old")));
            Raw.command(a, "commit");
            Raw.command(b, "commit");
        }
    }

    @Test
    void clientsPreparingAfterASchemaChangeGetTheNewShapeAsOnADirectConnection() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start()) {
            preparedOnBothServers(proxy);
            ClusterAdmin.appDdl(cluster, "alter table it_stale add column b int");
            String direct;
            try (RawPgClient client = Raw.direct(cluster)) {
                List<BackendMessage> reply = prepareAndRun(client, "new");
                direct = Raw.summary(reply) + " columns " + columns(reply);
            }
            List<String> seen = new ArrayList<>();
            for (int pair = 0; pair < 2; pair++) {
                // Two at a time in a transaction: one on each server.
                try (RawPgClient c1 = proxy.rawLogin(); RawPgClient c2 = proxy.rawLogin()) {
                    Raw.command(c1, "begin");
                    Raw.command(c2, "begin");
                    for (RawPgClient each : List.of(c1, c2)) {
                        List<BackendMessage> reply = prepareAndRun(each, "new");
                        seen.add(Raw.summary(reply).replace("Z(T)", "Z(I)") + " columns " + columns(reply));
                    }
                    Raw.command(c1, "commit");
                    Raw.command(c2, "commit");
                }
            }
            assertEquals(List.of(direct, direct, direct, direct), seen);
        }
    }

    /**
     * The same text means another table to a client with another search_path (one schema per tenant): its clients
     * never share a plan, whose result type would then change (0A000) from one client's execution to the next. A
     * client for whom the text names no table gets PostgreSQL's error at its Parse. Startup search_path, one set
     * by SET, and one that differs by the role; one server, so each executes where the others prepared; every
     * answer as on a direct connection.
     */
    @Test
    void clientsWhoseNamesDenoteOtherTablesNeverShareAPlan() throws Exception {
        ClusterAdmin.appDdlUnchecked(cluster, "drop schema if exists it_sp_a cascade",
                "drop schema if exists it_sp_b cascade", "create schema it_sp_a", "create schema it_sp_b",
                "create table it_sp_a.t2 (x text)", "insert into it_sp_a.t2 values ('a')",
                "create table it_sp_b.t2 (x int)", "insert into it_sp_b.t2 values (2)");
        String text = "select x from t2";
        java.util.Map<String, String> onA = java.util.Map.of("options", "-c search_path=it_sp_a");
        java.util.Map<String, String> onB = java.util.Map.of("options", "-c search_path=it_sp_b");
        java.util.Map<String, String> onNone = java.util.Map.of("options", "-c search_path=it_sp_none");
        String direct;
        try (RawPgClient a = direct(onA); RawPgClient b = direct(onB); RawPgClient c = direct(null);
             RawPgClient none = direct(onNone)) {
            direct = sharedText(a, b, c, none, text);
        }
        assertEquals("1 2 T D C Z(I) a | 1 2 T D C Z(I) 2 | 1 2 T D C Z(I) 2 | E(ERROR 42P01) Z(I) | "
                + "2 T D C Z(I) a | 2 T D C Z(I) 2 | 2 T D C Z(I) 2 | 2 T D C Z(I) a | 2 T D C Z(I) 2 "
                + "| 2 T D C Z(I) 2", direct, "the direct connections");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin(onA); RawPgClient b = proxy.rawLogin(onB);
             RawPgClient c = proxy.rawLogin(); RawPgClient none = proxy.rawLogin(onNone)) {
            assertEquals(direct, sharedText(a, b, c, none, text));
        }
    }

    /**
     * a and b prepare {@code text} under their startup search_path, c after a SET of b's, none where it names no
     * table; then each runs it twice, in turns.
     */
    private static String sharedText(RawPgClient a, RawPgClient b, RawPgClient c, RawPgClient none, String text) {
        Raw.command(c, "set search_path = it_sp_b");
        List<String> answers = new ArrayList<>();
        for (RawPgClient each : List.of(a, b, c, none)) {
            new Wire().parse("s", text).bind("", "s").describePortal("").execute("").sync().sendTo(each);
            answers.add(answer(each.readUntilReady()));
        }
        for (int round = 0; round < 2; round++) {
            for (RawPgClient each : List.of(a, b, c)) {
                new Wire().bind("", "s").describePortal("").execute("").sync().sendTo(each);
                answers.add(answer(each.readUntilReady()));
            }
        }
        return String.join(" | ", answers);
    }

    private static String answer(List<BackendMessage> reply) {
        return Raw.summary(reply) + reply.stream().filter(m -> m.type() == 'D').findFirst()
                .map(m -> " " + m.dataRowText().get(0)).orElse("");
    }

    private RawPgClient direct(java.util.Map<String, String> startup) {
        RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port());
        client.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, startup);
        return client;
    }

    @Test
    void aStatementPreparedWithoutAServerAfterTheChangeRunsWithTheNewShape() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start()) {
            try (RawPgClient old = proxy.rawLogin()) {
                assertEquals("12TDCZ", Raw.types(prepareAndRun(old, "old")));
            }
            ClusterAdmin.appDdl(cluster, "alter table it_stale add column b int");
            try (RawPgClient client = proxy.rawLogin()) {
                // A text the pool knows is prepared without a server (ParseComplete at once), bound later.
                new Wire().parse("new", QUERY).sync().sendTo(client);
                assertEquals("1Z", Raw.types(client.readUntilReady()));
                List<BackendMessage> reply = run(client, "new");
                assertEquals("2TDCZ", Raw.types(reply), reply::toString);
                assertEquals(2, columns(reply));
            }
        }
    }

    @Test
    void describeOfAStatementPreparedAfterTheChangeShowsTheNewShape() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start()) {
            try (RawPgClient old = proxy.rawLogin()) {
                assertEquals("12TDCZ", Raw.types(prepareAndRun(old, "old")));
            }
            ClusterAdmin.appDdl(cluster, "alter table it_stale add column b int");
            try (RawPgClient client = proxy.rawLogin()) {
                new Wire().parse("new", QUERY).describeStatement("new").sync().sendTo(client);
                List<BackendMessage> reply = client.readUntilReady();
                assertEquals("1tTZ", Raw.types(reply), reply::toString);
                assertEquals(2, columns(reply));
            }
        }
    }

    @Test
    void aClientThatPreparedBeforeTheChangeMaySeeTheErrorOnceAsOnADirectConnection() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient old = proxy.rawLogin()) {
            assertEquals("12TDCZ", Raw.types(prepareAndRun(old, "old")));
            ClusterAdmin.appDdl(cluster, "alter table it_stale add column b int");
            List<BackendMessage> first = run(old, "old");
            assertEquals("0A000", first.get(0).errorField('C'), first::toString);
            List<BackendMessage> again = run(old, "old");
            assertEquals("2TDCZ", Raw.types(again), again::toString);
            assertEquals(2, columns(again));
        }
    }
}
