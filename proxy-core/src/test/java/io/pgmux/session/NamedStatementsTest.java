package io.pgmux.session;

import static io.pgmux.session.StatementsFixture.bind;
import static io.pgmux.session.StatementsFixture.describePortal;
import static io.pgmux.session.StatementsFixture.describeStatement;
import static io.pgmux.session.StatementsFixture.execute;
import static io.pgmux.session.StatementsFixture.parse;
import static io.pgmux.session.StatementsFixture.prepared;
import static io.pgmux.session.StatementsFixture.query;
import static io.pgmux.session.StatementsFixture.send;
import static io.pgmux.session.StatementsFixture.serverName;
import static io.pgmux.session.StatementsFixture.sync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.pool.ServerPool;
import io.pgmux.protocol.Bytes;
import io.pgmux.server.PreparedOnServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a client's statement names reach the servers of a transaction pool: each statement under pgmux's shared
 * name, prepared where a request needs it and prepared again where the server's plan predates the client's Parse;
 * PostgreSQL's errors (26000, 42P05) for names the client does not have or already has, and the backend skipping
 * to Sync after them. The backends are played by the test ({@link ScriptedServer}); no PostgreSQL runs.
 */
class NamedStatementsTest {
    private static final String SELECT_1 = "select 1";
    private static final String X = serverName(SELECT_1);

    private final StatementsFixture fixture = new StatementsFixture();
    private final ServerPool pool = fixture.pool;
    private final NamedStatements client = fixture.client();

    @AfterEach
    void close() {
        fixture.close();
    }

    private NamedStatements statements() {
        return fixture.client();
    }

    private ScriptedServer server() {
        return fixture.server();
    }

    // ---- translation --------------------------------------------------------------------------------------------

    @Test
    void serverNamesAreDerivedFromTheDefinition() {
        assertTrue(X.matches("pgmux_[0-9a-f]{24}"), X);
        assertEquals(X, serverName("select 1"));
        assertFalse(X.equals(serverName("select 2")));
        assertFalse(X.equals(Statement.of(Bytes.of().cstring(SELECT_1).int16(1).int32(23).build(), 0, "").serverName()),
                "parameter types are part of the statement");
    }

    @Test
    void aClientsNameBecomesTheSharedServerNameInEveryMessage() {
        ScriptedServer server = server();
        send(client, server, parse("s1", SELECT_1), bind("s1"), describeStatement("s1"), describePortal(), execute(),
                sync());
        assertEquals(List.of("Parse " + X + " " + SELECT_1, "Bind - " + X, "Describe S " + X, "Describe P -",
                "Execute -", "Sync"), server.received());
        server.answer("12tnnCZ");
        assertEquals(List.of("1", "2", "t", "n", "n", "C", "Z"), server.toClient(), "every answer is the client's");
        assertEquals(1, client.size());
        assertTrue(pool.isKnownStatement(X), "a clean Parse teaches the pool the statement");
        assertTrue(server.server.isAtBoundary());
    }

    @Test
    void heldListsEachStatementOnceByServerNameWithItsText() {
        ScriptedServer server = server();
        send(client, server, parse("s1", SELECT_1), parse("s2", SELECT_1), parse("s3", "select 2"), sync());
        assertEquals(List.of("Parse " + X + " " + SELECT_1, "Close S " + X, "Parse " + X + " " + SELECT_1,
                "Parse " + serverName("select 2") + " select 2", "Sync"), server.received());
        server.answer("1311Z");
        assertEquals(3, client.count());
        assertEquals(java.util.Map.of(X, SELECT_1, serverName("select 2"), "select 2"), client.held());
        assertEquals(java.util.Set.of(X, serverName("select 2")), server.server.prepared().preparedNames());
        server.server.prepared().markStale(X);
        assertEquals(java.util.Set.of(serverName("select 2")), server.server.prepared().preparedNames(),
                "a stale name is not counted as prepared");
    }

    @Test
    void aServerHoldingAFreshEnoughPlanIsUsedAsItIs() {
        ScriptedServer server = server();
        prepared(client, server, "s1", SELECT_1);
        send(client, server, bind("s1"), execute(), sync());
        assertEquals(List.of("Bind - " + X, "Execute -", "Sync"), server.received());
    }

    @Test
    void anotherClientsParseOfTheSameTextReplacesTheServersOlderPlan() {
        ScriptedServer server = server();
        prepared(client, server, "s1", SELECT_1);
        NamedStatements other = statements();
        send(other, server, parse("mine", SELECT_1), sync());
        assertEquals(List.of("Close S " + X, "Parse " + X + " " + SELECT_1, "Sync"), server.received());
        server.answer("31Z");
        assertEquals(List.of("1", "Z"), server.toClient(), "the Close is pgmux's own: its answer is swallowed");
    }

    @Test
    void aBindPreparesAgainWhereTheServersPlanIsOlderThanTheClientsParse() {
        ScriptedServer older = server();
        ScriptedServer newer = server();
        NamedStatements first = client;
        NamedStatements second = statements();
        prepared(first, older, "a", SELECT_1);
        prepared(second, newer, "b", SELECT_1);

        // The second client's Parse came after the first server's plan was made: that plan may predate a schema
        // change the second client has seen.
        send(second, older, bind("b"), execute(), sync());
        assertEquals(List.of("Close S " + X, "Parse " + X + " " + SELECT_1, "Bind - " + X, "Execute -", "Sync"),
                older.received());
        older.answer("312CZ");
        assertEquals(List.of("2", "C", "Z"), older.toClient());

        // The first client's Parse is older than either plan: both serve it.
        send(first, newer, bind("a"), execute(), sync());
        assertEquals(List.of("Bind - " + X, "Execute -", "Sync"), newer.received());
        send(first, older, bind("a"), sync());
        assertEquals(List.of("Bind - " + X, "Sync"), older.received());
        // And the plan made for the second client now serves it without another Parse.
        older.answer("2Z");
        send(second, older, bind("b"), sync());
        assertEquals(List.of("Bind - " + X, "Sync"), older.received());
    }

    @Test
    void aStalePlanIsClosedAndPreparedAgainBeforeItsNextUse() {
        ScriptedServer server = server();
        prepared(client, server, "s1", SELECT_1);
        // As after "cached plan must not change result type", which does not say which statement it was.
        server.server.prepared().markAllStale();
        send(client, server, describeStatement("s1"), sync());
        assertEquals(List.of("Close S " + X, "Parse " + X + " " + SELECT_1, "Describe S " + X, "Sync"),
                server.received());
        server.answer("31tnZ");
        assertEquals(List.of("t", "n", "Z"), server.toClient());
        assertTrue(server.server.prepared().generation(X) > PreparedOnServer.STALE);
    }

    @Test
    void aStatementKnownToThePoolIsAnsweredWithoutAServerAndPreparedWhereItIsFirstBound() {
        ScriptedServer first = server();
        EmbeddedChannel clientChannel = new EmbeddedChannel();
        ByteBuf unknown = Unpooled.wrappedBuffer(parse("s1", SELECT_1));
        assertFalse(client.parseWithoutServer(unknown, clientChannel), "no server has parsed this text yet");
        send(client, first, parse("s1", SELECT_1), sync());
        first.answer("1Z");
        first.received();

        NamedStatements other = statements();
        assertTrue(other.parseWithoutServer(Unpooled.wrappedBuffer(parse("s2", SELECT_1)), clientChannel));
        ByteBuf answer = clientChannel.readOutbound();
        try {
            Bytes.assertBytes(Bytes.hex("31 00000004"), answer);
        } finally {
            answer.release();
        }
        assertEquals(1, other.size());
        assertFalse(other.parseWithoutServer(Unpooled.wrappedBuffer(parse("s2", SELECT_1)), clientChannel),
                "a name the client has goes to the server, for its 42P05");
        assertFalse(other.parseWithoutServer(Unpooled.wrappedBuffer(parse("", SELECT_1)), clientChannel),
                "the unnamed statement always goes to a server");

        ScriptedServer second = server();
        send(other, second, bind("s2"), execute(), sync());
        assertEquals(List.of("Parse " + X + " " + SELECT_1, "Bind - " + X, "Execute -", "Sync"), second.received());
        second.answer("12CZ");
        assertEquals(List.of("2", "C", "Z"), second.toClient(), "the client had its ParseComplete already");
        assertFalse(clientChannel.finishAndReleaseAll());
    }

    // ---- errors ---------------------------------------------------------------------------------------------------

    @Test
    void bindingAnUnknownNameFailsWith26000AndSkipsToSync() {
        ScriptedServer server = server();
        send(client, server, bind("nope"));
        assertTrue(client.skipsUntilSync((byte) 'E'));
        assertFalse(client.skipsUntilSync((byte) 'S'));
        send(client, server, execute(), parse("later", SELECT_1), query("select 2"), sync());
        // A stand-in the backend must fail makes it skip to Sync just as it would have for the client's Bind; what
        // PostgreSQL would ignore until then (a simple Query too) is not sent.
        assertEquals(List.of("Describe S pgmux_", "Sync"), server.received());
        server.error("26000", "prepared statement \"pgmux_\" does not exist");
        server.answer("Z");
        assertEquals(List.of("E 26000 prepared statement \"nope\" does not exist", "Z"), server.toClient());
        assertEquals(0, client.size(), "the Parse after the error was skipped, as PostgreSQL skips it");
        assertFalse(client.skipsUntilSync((byte) 'P'), "the Sync ends the failed batch");
        assertTrue(server.server.isAtBoundary());
    }

    @Test
    void describingAnUnknownNameFailsWith26000() {
        ScriptedServer server = server();
        send(client, server, describeStatement("nope"), sync());
        assertEquals(List.of("Describe S pgmux_", "Sync"), server.received());
        server.error("26000", "prepared statement \"pgmux_\" does not exist");
        server.answer("Z");
        assertEquals(List.of("E 26000 prepared statement \"nope\" does not exist", "Z"), server.toClient());
    }

    @Test
    void usingAnUnnamedStatementTheClientDoesNotHaveFailsWith26000() {
        ScriptedServer server = server();
        send(client, server, bind(""), sync());
        server.error("26000", "prepared statement \"pgmux_\" does not exist");
        server.answer("Z");
        assertEquals(List.of("E 26000 unnamed prepared statement does not exist", "Z"), server.toClient());
        // A simple Query drops the unnamed statement, in PostgreSQL and so here.
        send(client, server, parse("", SELECT_1), sync());
        server.answer("1Z");
        send(client, server, query("select 2"));
        server.answer("CZ");
        server.toClient();
        send(client, server, describeStatement(""), sync());
        server.error("26000", "prepared statement \"pgmux_\" does not exist");
        server.answer("Z");
        assertEquals(List.of("E 26000 unnamed prepared statement does not exist", "Z"), server.toClient());
    }

    @Test
    void parsingANameTheClientHasFailsWith42P05() {
        ScriptedServer server = server();
        send(client, server, parse("s1", SELECT_1), parse("s1", "select 2"), bind("s1"), sync());
        // The text is parsed first, as PostgreSQL parses it before it finds the name taken.
        assertEquals(List.of("Parse " + X + " " + SELECT_1, "Parse - select 2", "Describe S pgmux_", "Sync"),
                server.received());
        server.answer("11");
        server.error("26000", "prepared statement \"pgmux_\" does not exist");
        server.answer("Z");
        assertEquals(List.of("1", "E 42P05 prepared statement \"s1\" already exists", "Z"), server.toClient());
        assertEquals(1, client.size());
    }

    @Test
    void aTakenNameWithATextThatDoesNotParseGetsTheSyntaxErrorFirst() {
        ScriptedServer server = server();
        send(client, server, parse("s1", SELECT_1), sync());
        server.answer("1Z");
        server.received();
        server.toClient();
        send(client, server, parse("s1", "selec"), bind("s1"), sync());
        assertEquals(List.of("Parse - selec", "Describe S pgmux_", "Sync"), server.received());
        server.error("42601", "syntax error at or near \"selec\"");
        server.answer("Z");
        assertEquals(List.of("E 42601 syntax error at or near \"selec\"", "Z"), server.toClient());
        assertEquals(1, client.size());
    }

    @Test
    void aParseTheServerRefusesLeavesTheNameFree() {
        ScriptedServer server = server();
        String bad = serverName("selec 1");
        send(client, server, parse("s1", "selec 1"), sync());
        server.error("42601", "syntax error at or near \"selec\"");
        server.answer("Z");
        assertEquals(List.of("E 42601 syntax error at or near \"selec\"", "Z"), server.toClient());
        assertEquals(0, client.size());
        assertEquals(PreparedOnServer.ABSENT, server.server.prepared().generation(bad));
        assertFalse(pool.isKnownStatement(bad));
        server.received();
        send(client, server, parse("s1", SELECT_1), sync());
        assertEquals(List.of("Parse " + X + " " + SELECT_1, "Sync"), server.received(), "no 42P05: the name is free");
    }

    @Test
    void aParseSkippedAfterAnEarlierErrorLeavesTheNameFreeToo() {
        ScriptedServer server = server();
        send(client, server, query("select 1/0"));
        send(client, server, bind("nope"), parse("s1", SELECT_1), sync());
        assertEquals(0, client.size(), "pgmux skips the Parse after its own refusal");
        server.received();
        server.error("22012", "division by zero");
        server.answer("Z");
        server.error("26000", "prepared statement \"pgmux_\" does not exist");
        server.answer("Z");
        assertEquals(List.of("E 22012 division by zero", "Z", "E 26000 prepared statement \"nope\" does not exist",
                "Z"), server.toClient());
    }

    // ---- the unnamed statement follows its client ---------------------------------------------------------------

    @Test
    void theUnnamedStatementIsParsedAgainOnAServerThatDoesNotHoldIt() {
        ScriptedServer first = server();
        ScriptedServer second = server();
        send(client, first, parse("", SELECT_1), bind(""), execute(), sync());
        assertEquals(List.of("Parse - " + SELECT_1, "Bind - -", "Execute -", "Sync"), first.received());
        first.answer("12CZ");
        send(client, second, bind(""), execute(), sync());
        assertEquals(List.of("Parse - " + SELECT_1, "Bind - -", "Execute -", "Sync"), second.received());
        second.answer("12CZ");
        assertEquals(List.of("2", "C", "Z"), second.toClient(), "the Parse is pgmux's: its answer is swallowed");
        // Back on the first server, which still holds it.
        send(client, first, bind(""), execute(), sync());
        assertEquals(List.of("Bind - -", "Execute -", "Sync"), first.received());
    }

    @Test
    void anotherClientsUnnamedStatementIsNeverUsed() {
        ScriptedServer server = server();
        send(client, server, parse("", SELECT_1), sync());
        server.answer("1Z");
        server.received();
        NamedStatements other = statements();
        send(other, server, parse("", "select 2"), sync());
        server.answer("1Z");
        server.received();
        send(client, server, bind(""), sync());
        assertEquals(List.of("Parse - " + SELECT_1, "Bind - -", "Sync"), server.received());
    }
}
