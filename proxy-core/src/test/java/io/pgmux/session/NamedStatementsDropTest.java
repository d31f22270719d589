package io.pgmux.session;

import static io.pgmux.session.StatementsFixture.bind;
import static io.pgmux.session.StatementsFixture.closePortal;
import static io.pgmux.session.StatementsFixture.closeStatement;
import static io.pgmux.session.StatementsFixture.execute;
import static io.pgmux.session.StatementsFixture.parse;
import static io.pgmux.session.StatementsFixture.prepared;
import static io.pgmux.session.StatementsFixture.query;
import static io.pgmux.session.StatementsFixture.send;
import static io.pgmux.session.StatementsFixture.serverName;
import static io.pgmux.session.StatementsFixture.sync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.server.PreparedOnServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a client's names go: Close, DEALLOCATE (in a Query or as the unnamed statement of psycopg's cache
 * maintenance), DEALLOCATE ALL and DISCARD ALL drop them at their place in the stream, so that a Parse pipelined
 * after them finds the name free, and give them back when the server skips or fails the command. pgmux's shared
 * copies on a server are closed only when they must be (evicted from a full server, or stale before their next
 * use). The backends are played by the test; no PostgreSQL runs.
 */
class NamedStatementsDropTest {
    private static final String X1 = serverName("select 1");
    private static final String X2 = serverName("select 2");
    private static final String X3 = serverName("select 3");

    private final StatementsFixture fixture = new StatementsFixture();
    private final NamedStatements client = fixture.client();

    @AfterEach
    void close() {
        fixture.close();
    }

    // ---- Close ----------------------------------------------------------------------------------------------------

    @Test
    void closeFreesTheNameAtOnceAndLeavesTheSharedCopyOnTheServer() {
        ScriptedServer server = fixture.server();
        prepared(client, server, "s1", "select 1");
        send(client, server, closeStatement("s1"), parse("s1", "select 2"), sync());
        // The client's Close stands in as a Close of a name pgmux never prepares: the CloseComplete is the server's.
        assertEquals(List.of("Close S pgmux_", "Parse " + X2 + " select 2", "Sync"), server.received());
        assertTrue(server.server.prepared().generation(X1) > PreparedOnServer.STALE,
                "other clients of this server may use the copy");
        server.answer("31Z");
        assertEquals(List.of("3", "1", "Z"), server.toClient());
        assertEquals(1, client.size());
    }

    @Test
    void closingANameTheClientDoesNotHaveIsNoError() {
        ScriptedServer server = fixture.server();
        send(client, server, closeStatement("nope"), sync());
        assertEquals(List.of("Close S pgmux_", "Sync"), server.received());
        server.answer("3Z");
        assertEquals(List.of("3", "Z"), server.toClient());
    }

    @Test
    void aCloseTheBackendSkipsAfterAnErrorGivesTheNameBack() {
        ScriptedServer server = fixture.server();
        prepared(client, server, "s1", "select 1");
        send(client, server, bind("s1"), execute(), closeStatement("s1"), sync());
        assertEquals(0, client.size());
        server.received();
        server.answer("2");
        server.error("22012", "division by zero");
        server.answer("Z");
        assertEquals(List.of("2", "E 22012 division by zero", "Z"), server.toClient());
        assertEquals(1, client.size(), "the Close never ran, as on a direct connection");
        send(client, server, bind("s1"), sync());
        assertEquals(List.of("Bind - " + X1, "Sync"), server.received());
    }

    @Test
    void aCloseAndAParseOfTheSameNameBothSkippedLeaveTheStatementAsItWas() {
        ScriptedServer server = fixture.server();
        prepared(client, server, "s1", "select 1");
        send(client, server, parse("bad", "selec"), closeStatement("s1"), parse("s1", "select 4"), sync());
        server.received();
        server.error("42601", "syntax error at or near \"selec\"");
        server.answer("Z");
        assertEquals(List.of("E 42601 syntax error at or near \"selec\"", "Z"), server.toClient());
        assertEquals(1, client.size(), "s1 as it was, as on a direct connection");
        send(client, server, bind("s1"), sync());
        assertEquals(List.of("Bind - " + X1, "Sync"), server.received());
    }

    @Test
    void closingAPortalOrTheUnnamedStatementGoesToTheServerAsItCame() {
        ScriptedServer server = fixture.server();
        send(client, server, parse("", "select 1"), sync());
        server.answer("1Z");
        server.received();
        server.toClient();
        send(client, server, closePortal("c1"), closeStatement(""), bind(""), sync());
        assertEquals(List.of("Close P c1", "Close S -", "Describe S pgmux_", "Sync"), server.received());
        server.answer("33");
        server.error("26000", "prepared statement \"pgmux_\" does not exist");
        server.answer("Z");
        assertEquals(List.of("3", "3", "E 26000 unnamed prepared statement does not exist", "Z"), server.toClient());
    }

    // ---- DEALLOCATE -----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"DEALLOCATE s1", "deallocate prepare s1;", "  Deallocate S1  "})
    void deallocateIsAnsweredInPlaceOfAnEmptyQueryAndFreesTheClientsNameAtOnce(String sql) {
        ScriptedServer server = fixture.server();
        prepared(client, server, "s1", "select 1");
        send(client, server, query(sql));
        assertEquals(List.of("Query "), server.received());
        assertEquals(0, client.size());
        assertTrue(server.server.prepared().generation(X1) > PreparedOnServer.STALE,
                "other clients of this server may use the copy, as after a Close");
        server.answer("IZ");
        assertEquals(List.of("C", "Z"), server.toClient());
        send(client, server, parse("s1", "select 2"), sync());
        assertEquals(List.of("Parse " + X2 + " select 2", "Sync"), server.received());
    }

    @Test
    void deallocateInAFailedTransactionFailsAsPostgresqlsDoesAndKeepsTheName() {
        ScriptedServer server = fixture.server();
        prepared(client, server, "s1", "select 1");
        send(client, server, query("DEALLOCATE s1"));
        server.received();
        server.answer("IF");
        assertEquals(List.of("E 25P02 current transaction is aborted, commands ignored until end of transaction block",
                "Z"), server.toClient());
        assertEquals(1, client.size());
        send(client, server, bind("s1"), sync());
        assertEquals(List.of("Bind - " + X1, "Sync"), server.received());
    }

    @Test
    void deallocateTheBackendSkipsAfterAnErrorGivesTheNameBack() {
        ScriptedServer server = fixture.server();
        prepared(client, server, "s1", "select 1");
        send(client, server, bind("s1"), execute(), query("DEALLOCATE s1"), sync());
        assertEquals(0, client.size(), "gone at its place in the stream");
        assertEquals(List.of("Bind - " + X1, "Execute -", "Query ", "Sync"), server.received());
        server.answer("2");
        server.error("22012", "division by zero");
        server.answer("Z");
        assertEquals(List.of("2", "E 22012 division by zero", "Z"), server.toClient());
        assertEquals(1, client.size(), "the DEALLOCATE never ran, as on a direct connection");
    }

    @Test
    void deallocateOnAServerWithoutTheStatementPreparesNothingThere() {
        prepared(client, fixture.server(), "s1", "select 1");
        ScriptedServer other = fixture.server();
        send(client, other, query("DEALLOCATE s1"));
        // Preparing it there first could fail and leave the backend skipping to a Sync that never comes; the client
        // gets PostgreSQL's answer, "DEALLOCATE", not 26000 for pgmux's name.
        assertEquals(List.of("Query "), other.received());
        other.answer("IZ");
        assertEquals(List.of("C", "Z"), other.toClient());
        assertEquals(0, client.size());
    }

    @Test
    void anErrorNamingPgmuxsNameForAStatementNamesTheClientsInstead() {
        prepared(client, fixture.server(), "s1", "select 1");
        assertEquals("bind message supplies 1 parameters, but prepared statement \"s1\" requires 0",
                inClientsNames("bind message supplies 1 parameters, but prepared statement \"" + X1 + "\" requires 0"));
        String unknown = "prepared statement \"" + X2 + "\" does not exist";
        assertEquals(unknown, inClientsNames(unknown), "a name the client does not have stays as it is");
        assertEquals("relation \"t\" does not exist", inClientsNames("relation \"t\" does not exist"));
    }

    @Test
    void ofTwoNamesForOneStatementAnErrorNamesTheOneBoundLast() {
        ScriptedServer server = fixture.server();
        prepared(client, server, "a", "select 1");
        send(client, server, parse("b", "select 1"), sync());
        assertEquals(List.of("Close S " + X1, "Parse " + X1 + " select 1", "Sync"), server.received(),
                "a Parse of the client's is prepared afresh");
        server.answer("31Z");
        assertEquals(List.of("1", "Z"), server.toClient());
        String error = "bind message supplies 1 parameters, but prepared statement \"" + X1 + "\" requires 0";
        for (String name : List.of("b", "a", "b")) {
            send(client, server, bind(name), sync());
            server.received();
            assertEquals("bind message supplies 1 parameters, but prepared statement \"" + name + "\" requires 0",
                    inClientsNames(error));
            server.answer("2Z");
            server.toClient();
        }
    }

    private String inClientsNames(String message) {
        PgError error = PgError.error("08P01", message);
        ByteBuf result = client.inClientsNames(error, ErrorResponse.encode(UnpooledByteBufAllocator.DEFAULT, error));
        try {
            return ErrorResponse.decode(result.duplicate().skipBytes(5)).message();
        } finally {
            result.release();
        }
    }

    @Test
    void deallocateOfANameTheClientDoesNotHaveGoesToTheServerAsItCame() {
        ScriptedServer server = fixture.server();
        send(client, server, query("DEALLOCATE nope"));
        assertEquals(List.of("Query DEALLOCATE nope"), server.received());
        server.error("26000", "prepared statement \"nope\" does not exist");
        server.answer("Z");
        assertEquals(List.of("E 26000 prepared statement \"nope\" does not exist", "Z"), server.toClient());
    }

    @Test
    void deallocateAsTheUnnamedStatementDropsTheNameWhenItIsExecuted() {
        // psycopg's cache maintenance: DEALLOCATE through the extended protocol.
        ScriptedServer server = fixture.server();
        prepared(client, server, "s1", "select 1");
        send(client, server, parse("", "DEALLOCATE s1"), bind(""));
        assertEquals(1, client.size(), "parsed, not yet run");
        send(client, server, execute(), sync());
        assertEquals(0, client.size());
        assertEquals(List.of("Parse - DEALLOCATE " + X1, "Bind - -", "Execute -", "Sync"), server.received());
        server.answer("12CZ");
        assertEquals(List.of("1", "2", "C", "Z"), server.toClient());
        assertEquals(0, client.size());
    }

    @Test
    void deallocateAsTheUnnamedStatementOnAnotherServerFindsTheStatementThere() {
        ScriptedServer first = fixture.server();
        prepared(client, first, "s1", "select 1");
        send(client, first, parse("", "DEALLOCATE s1"), sync());
        first.answer("1Z");
        first.received();
        // The next transaction runs it on a server that holds neither the unnamed statement nor pgmux's copy.
        ScriptedServer second = fixture.server();
        send(client, second, bind(""), execute(), sync());
        // An empty statement under pgmux's name, for the DEALLOCATE to drop: it cannot fail where the statement's
        // own text could (its table dropped), and nothing takes it for the statement.
        assertEquals(List.of("Parse - DEALLOCATE " + X1, "Parse " + X1 + " ", "Bind - -", "Execute -", "Sync"),
                second.received());
        assertEquals(PreparedOnServer.STALE, second.server.prepared().generation(X1));
        assertEquals(0, client.size());
        second.answer("112CZ");
        assertEquals(List.of("2", "C", "Z"), second.toClient());
    }

    @ParameterizedTest
    @ValueSource(strings = {"DEALLOCATE ALL", "discard all", "select 1; DEALLOCATE ALL"})
    void deallocateAllAndDiscardAllForgetEveryNameAndEveryCopy(String sql) {
        ScriptedServer server = fixture.server();
        prepared(client, server, "s1", "select 1");
        prepared(client, server, "s2", "select 2");
        send(client, server, query(sql));
        assertEquals(List.of("Query " + sql), server.received());
        assertEquals(0, client.size());
        assertEquals(PreparedOnServer.STALE, server.server.prepared().generation(X1));
        assertEquals(PreparedOnServer.STALE, server.server.prepared().generation(X2));
        server.answer("CZ");
        assertEquals(0, client.size());
    }

    @Test
    void aFailedDeallocateAllGivesEveryNameBack() {
        ScriptedServer server = fixture.server();
        prepared(client, server, "s1", "select 1");
        prepared(client, server, "s2", "select 2");
        send(client, server, query("DEALLOCATE ALL"));
        server.error("25P02", "current transaction is aborted, commands ignored until end of transaction block");
        server.answer("Z");
        assertEquals(2, client.size());
    }

    // ---- a full server --------------------------------------------------------------------------------------------

    @Test
    void aFullServerClosesItsLeastRecentlyUsedStatementBeforePreparingAnother() {
        ScriptedServer server = fixture.server(2);
        send(client, server, parse("a", "select 1"), parse("b", "select 2"), parse("c", "select 3"), sync());
        assertEquals(List.of("Parse " + X1 + " select 1", "Parse " + X2 + " select 2", "Close S " + X1,
                "Parse " + X3 + " select 3", "Sync"), server.received());
        server.answer("1131Z");
        assertEquals(List.of("1", "1", "1", "Z"), server.toClient(), "the Close of the evicted copy is pgmux's");
        assertEquals(2, server.server.prepared().size());
        assertEquals(3, client.size(), "eviction is the server's business: the client keeps its names");

        // "a" is prepared again where it is used, making room in turn.
        send(client, server, bind("a"), sync());
        assertEquals(List.of("Close S " + X2, "Parse " + X1 + " select 1", "Bind - " + X1, "Sync"), server.received());
    }

    @Test
    void aStatementInUseIsNotTheOneEvicted() {
        ScriptedServer server = fixture.server(2);
        prepared(client, server, "a", "select 1");
        prepared(client, server, "b", "select 2");
        send(client, server, bind("a"), sync());
        server.answer("2Z");
        server.received();
        send(client, server, parse("c", "select 3"), sync());
        assertEquals(List.of("Close S " + X2, "Parse " + X3 + " select 3", "Sync"), server.received());
    }
}
