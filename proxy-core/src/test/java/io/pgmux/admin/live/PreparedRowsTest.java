package io.pgmux.admin.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.admin.spi.PreparedRow;
import io.pgmux.client.ClientInfo;
import io.pgmux.client.ClientState;
import io.pgmux.pool.ServerInfo;
import io.pgmux.server.ServerState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PreparedRowsTest {
    private static ServerInfo server(long id, String database, String user, Set<String> names) {
        return new ServerInfo(id, database, user, ServerState.IDLE, null, null, 0, 0, false, 0, "", "",
                names.size(), null, names);
    }

    private static ClientInfo client(long id, String database, String user, Map<String, String> held) {
        return new ClientInfo(id, user, database, ClientState.IDLE, null, null, 0, 0, null, "", held.size(), null,
                "", held);
    }

    @Test
    void oneRowPerPoolAndNameCountingServersThatHaveItAndClientsThatHoldIt() {
        List<ServerInfo> servers = List.of(
                server(1, "app", "api", Set.of("pgmux_b", "pgmux_a")),
                server(2, "app", "api", Set.of("pgmux_b")),
                server(3, "app", "etl", Set.of("pgmux_b")));
        List<ClientInfo> clients = List.of(
                client(10, "app", "api", Map.of("pgmux_b", "select 2")),
                client(11, "app", "api", Map.of("pgmux_b", "select 2", "pgmux_c", "select 3")),
                client(12, "app", "etl", Map.of()));

        List<PreparedRow> rows = PreparedRows.of(servers, clients);

        assertEquals(List.of(
                new PreparedRow("app", "api", "pgmux_a", "", 1, 0),
                new PreparedRow("app", "api", "pgmux_b", "select 2", 2, 2),
                new PreparedRow("app", "api", "pgmux_c", "select 3", 0, 1),
                new PreparedRow("app", "etl", "pgmux_b", "", 1, 0)), rows);
    }

    @Test
    void rowsAreSortedByDatabaseThenUserThenName() {
        List<ServerInfo> servers = List.of(
                server(1, "b", "u", Set.of("pgmux_1")),
                server(2, "a", "v", Set.of("pgmux_2", "pgmux_1")),
                server(3, "a", "u", Set.of("pgmux_3")));

        List<String> order = PreparedRows.of(servers, List.of()).stream()
                .map(r -> r.database() + "/" + r.user() + "/" + r.name()).toList();

        assertEquals(List.of("a/u/pgmux_3", "a/v/pgmux_1", "a/v/pgmux_2", "b/u/pgmux_1"), order);
    }

    @Test
    void theTextIsShownOnOneLineAndCutToAReadableLength() {
        assertEquals("select * from t where a = $1", PreparedRows.readable("\n  select *\n\tfrom t\n where a = $1 \n"));
        String longText = "select " + "x, ".repeat(100) + "y from t";
        String shown = PreparedRows.readable(longText);
        assertEquals(PreparedRows.STATEMENT_CHARS, shown.length());
        assertEquals(longText.substring(0, PreparedRows.STATEMENT_CHARS - 3) + "...", shown);
        String exact = "s".repeat(PreparedRows.STATEMENT_CHARS);
        assertEquals(exact, PreparedRows.readable(exact));
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String text = "a".repeat(PreparedRows.STATEMENT_CHARS - 4) + "\uD83D\uDE00" + "tail".repeat(20);
        String shown = PreparedRows.readable(text);
        assertEquals("a".repeat(PreparedRows.STATEMENT_CHARS - 4) + "...", shown);
    }
}
