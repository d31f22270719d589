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
