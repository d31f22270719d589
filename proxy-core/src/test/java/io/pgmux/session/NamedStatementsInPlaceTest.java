package io.pgmux.session;

import static io.pgmux.session.StatementsFixture.bind;
import static io.pgmux.session.StatementsFixture.closePortal;
import static io.pgmux.session.StatementsFixture.closeStatement;
import static io.pgmux.session.StatementsFixture.describePortal;
import static io.pgmux.session.StatementsFixture.describeStatement;
import static io.pgmux.session.StatementsFixture.execute;
import static io.pgmux.session.StatementsFixture.parse;
import static io.pgmux.session.StatementsFixture.prepared;
import static io.pgmux.session.StatementsFixture.send;
import static io.pgmux.session.StatementsFixture.serverName;
import static io.pgmux.session.StatementsFixture.sync;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmux.codec.MessageRouter.Route;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client's extended-protocol messages forwarded where they lie in the read buffer
 * ({@link NamedStatements#forwardInPlace}): what needs nothing before it passes unchanged, a Bind of a named
 * statement the server holds goes with only its beginning renamed, and everything that needs pgmux's own messages
 * or errors is left whole to {@link NamedStatements#send}, unchanged by having been looked at. The backend sees
 * exactly what the whole-message path sends.
 */
class NamedStatementsInPlaceTest {
    private static final String SELECT_1 = "select 1";
    private static final String X = serverName(SELECT_1);

    private final StatementsFixture fixture = new StatementsFixture();
    private final NamedStatements client = fixture.client();

    @AfterEach
    void close() {
        fixture.close();
    }

    /**
     * The client's messages as a pooled session forwards messages read in place: each passes, has its head replaced
     * (the rest following as it came), or is taken whole to {@code send}. Returns the routes.
     */
    private static List<Route> inPlace(NamedStatements client, ScriptedServer server, byte[]... messages) {
        List<Route> routes = new ArrayList<>();
        server.onLoop(() -> {
            for (byte[] each : messages) {
                ByteBuf frame = Unpooled.wrappedBuffer(each);
                Route route = client.forwardInPlace(server.server, frame);
                routes.add(route);
                switch (route) {
                    case PASS -> server.server.sendClientRun(frame);
                    case REPLACE_HEAD -> {
                        frame.readerIndex(client.replaceHead(server.server, frame));
                        server.server.sendClientRun(frame);
                    }
                    case TAKE -> client.send(server.server, frame);
                    default -> throw new AssertionError(route);
                }
            }
        });
        return routes;
    }

    @Test
    void theUnnamedStatementsRequestPassesWholeAndIsAnsweredAsIfSent() {
        ScriptedServer server = fixture.server();
        List<Route> routes = inPlace(client, server, parse("", SELECT_1), bind(""), describePortal(), execute(),
                sync());
        assertEquals(List.of(Route.PASS, Route.PASS, Route.PASS, Route.PASS, Route.PASS), routes);
        assertEquals(List.of("Parse - " + SELECT_1, "Bind - -", "Describe P -", "Execute -", "Sync"),
                server.received());
        server.answer("12nCZ");
        assertEquals(List.of("1", "2", "n", "C", "Z"), server.toClient());
        // The unnamed statement was kept as sent: bound on another server, it is parsed there first.
        ScriptedServer other = fixture.server();
        assertEquals(List.of(Route.TAKE, Route.PASS), inPlace(client, other, bind(""), sync()));
        assertEquals(List.of("Parse - " + SELECT_1, "Bind - -", "Sync"), other.received());
    }

    @Test
    void aBindOfANamedStatementTheServerHoldsGoesWithOnlyItsNameReplaced() {
        ScriptedServer server = fixture.server();
        prepared(client, server, "s1", SELECT_1);
        assertEquals(List.of(Route.REPLACE_HEAD, Route.PASS, Route.PASS, Route.PASS),
                inPlace(client, server, bind("s1"), describePortal(), execute(), sync()));
        assertEquals(List.of("Bind - " + X, "Describe P -", "Execute -", "Sync"), server.received());
        server.answer("2nCZ");
        assertEquals(List.of("2", "n", "C", "Z"), server.toClient());
        // A name it binds next is read again, not taken for the last one.
        prepared(client, server, "s2", "select 2");
        assertEquals(List.of(Route.REPLACE_HEAD, Route.REPLACE_HEAD, Route.PASS),
                inPlace(client, server, bind("s2"), bind("s1"), sync()));
        assertEquals(List.of("Bind - " + serverName("select 2"), "Bind - " + X, "Sync"), server.received());
    }

    @Test
    void whatNeedsPgmuxsOwnMessagesFirstIsTakenWhole() {
        ScriptedServer holder = fixture.server();
        prepared(client, holder, "s1", SELECT_1);
        ScriptedServer other = fixture.server();
        // Not prepared on this server: the whole path prepares it first.
        assertEquals(List.of(Route.TAKE, Route.PASS), inPlace(client, other, bind("s1"), sync()));
        assertEquals(List.of("Parse " + X + " " + SELECT_1, "Bind - " + X, "Sync"), other.received());
        other.answer("12Z");
        // Named Parse, Describe and Close of statements: renamed or answered by pgmux, taken whole.
        assertEquals(List.of(Route.TAKE, Route.TAKE, Route.TAKE, Route.PASS, Route.PASS),
                inPlace(client, holder, parse("s3", "select 3"), describeStatement("s1"), closeStatement("s3"),
                        closePortal(""), sync()));
    }

    @Test
    void afterARefusedMessageEverythingButSyncIsTakenToBeSkipped() {
        ScriptedServer server = fixture.server();
        assertEquals(List.of(Route.TAKE, Route.TAKE, Route.TAKE, Route.PASS),
                inPlace(client, server, bind("nope"), describePortal(), execute(), sync()));
        assertEquals(List.of("Describe S pgmux_", "Sync"), server.received());
        server.error("26000", "prepared statement \"pgmux_\" does not exist");
        server.answer("Z");
        assertEquals(List.of("E 26000 prepared statement \"nope\" does not exist", "Z"), server.toClient());
        // The Sync ended the skipping: the next batch passes again.
        assertEquals(List.of(Route.PASS, Route.PASS), inPlace(client, server, parse("", SELECT_1), sync()));
    }

    @Test
    void anUnnamedDeallocateOfAClientsNameIsTakenToBeRenamedAndItsExecuteToDropTheName() {
        ScriptedServer server = fixture.server();
        prepared(client, server, "s1", SELECT_1);
        assertEquals(List.of(Route.TAKE, Route.PASS, Route.TAKE, Route.PASS),
                inPlace(client, server, parse("", "DEALLOCATE s1"), bind(""), execute(), sync()));
        assertEquals(List.of("Parse - DEALLOCATE " + X, "Bind - -", "Execute -", "Sync"), server.received());
        server.answer("12CZ");
        assertEquals(0, client.size(), "the name went with the DEALLOCATE");
        // One of a name the client does not have goes as it is, but its Execute still acts on the names.
        assertEquals(List.of(Route.PASS, Route.PASS, Route.TAKE, Route.PASS),
                inPlace(client, server, parse("", "DEALLOCATE ALL"), bind(""), execute(), sync()));
    }

    @Test
    void aDescribeOfTheUnnamedStatementPassesWhereTheServerHoldsItAndCloseDropsIt() {
        ScriptedServer server = fixture.server();
        assertEquals(List.of(Route.TAKE, Route.PASS), inPlace(client, server, describeStatement(""), sync()),
                "no unnamed statement: refused by the whole path");
        server.received();
        server.error("26000", "prepared statement \"pgmux_\" does not exist");
        server.answer("Z");
        assertEquals(List.of(Route.PASS, Route.PASS, Route.PASS, Route.PASS),
                inPlace(client, server, parse("", SELECT_1), describeStatement(""), closeStatement(""), sync()));
        assertEquals(List.of("Parse - " + SELECT_1, "Describe S -", "Close S -", "Sync"), server.received());
        server.answer("1tn3Z");
        assertEquals(List.of(Route.TAKE, Route.PASS), inPlace(client, server, bind(""), sync()),
                "closed: a Bind of it is refused by the whole path");
    }
}
