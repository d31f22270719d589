package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.PgBuffers;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerSlot;
import io.pgmux.server.ServerState;
import io.pgmux.server.TestBackends;
import io.pgmux.server.UpstreamTarget;
import io.pgmux.testing.ServerLinkAdapter;
import io.pgmux.testing.TestChannel;
import io.pgmux.testing.TestLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A logged-in server connection on an in-memory channel whose backend the test plays: {@link #received} is what
 * pgmux wrote to the backend, {@link #answer} feeds the backend's replies, and {@link #toClient} is what reached
 * the linked client. Messages are shown in a short form, an empty name as "-": {@code Parse <name> <query>},
 * {@code Bind <portal> <statement>}, {@code Describe S <name>}, {@code Close S <name>}, {@code Execute <portal>},
 * {@code Sync}, {@code Query <text>}; to the client, the tag alone, or {@code E <SQLSTATE> <message>}.
 */
final class ScriptedServer extends ServerLinkAdapter {
    private static final UpstreamTarget TARGET = new UpstreamTarget("127.0.0.1", 5432, "app", "app", null, Map.of());

    final ServerConnection server;
    private final TestLoop loop;
    private final TestChannel channel;
    private final List<String> toClient = new ArrayList<>();

    /** @param capacity the server's max_prepared_statements */
    ScriptedServer(long id, TestLoop loop, int capacity) {
        this.loop = loop;
        server = new ServerConnection(id, TARGET, new Lent(), capacity);
        channel = TestBackends.accept(server, loop);
        TestBackends.logIn(server);
        server.link(this);
    }

    /** Runs {@code step} on the server's event loop, as the client's messages are sent, and flushes. */
    void onLoop(Runnable step) {
        loop.run(() -> {
            step.run();
            server.flush();
        });
    }

    /** What pgmux wrote to the backend since the last call. */
    List<String> received() {
        // A byte stream, as the backend reads it: a message may be written in parts (a Bind's new beginning, then
        // the rest of the client's).
        ByteBuf stream = Unpooled.buffer();
        Object each;
        while ((each = channel.readOutbound()) != null) {
            ByteBuf written = (ByteBuf) each;
            stream.writeBytes(written);
            written.release();
        }
        List<String> result = new ArrayList<>();
        while (stream.isReadable()) {
            int frame = stream.getInt(stream.readerIndex() + 1) + 1;
            result.add(describe(stream.readSlice(frame)));
        }
        return result;
    }

    /** What the backend sent that reached the client, since the last call. */
    List<String> toClient() {
        List<String> result = List.copyOf(toClient);
        toClient.clear();
        return result;
    }

    /**
     * The backend answers, one character a message: '1' ParseComplete, '2' BindComplete, '3' CloseComplete, 'n'
     * NoData, 't' ParameterDescription (no parameters), 'C' CommandComplete, 'I' EmptyQueryResponse, 'Z'
     * ReadyForQuery (idle), 'F' ReadyForQuery (in a failed transaction block). Errors: {@link #error}.
     */
    void answer(String tags) {
        loop.run(() -> {
            for (char tag : tags.toCharArray()) {
                channel.pipeline().fireChannelRead(switch (tag) {
                    case 'Z' -> Unpooled.wrappedBuffer(Bytes.hex("5a 00000005 49"));
                    case 'F' -> Unpooled.wrappedBuffer(Bytes.hex("5a 00000005 45"));
                    case 'C' -> Unpooled.wrappedBuffer(Bytes.message('C', Bytes.of().cstring("SELECT 1").build()));
                    case 't' -> Unpooled.wrappedBuffer(Bytes.hex("74 00000006 0000"));
                    case '1', '2', '3', 'n', 'I' -> Unpooled.wrappedBuffer(Bytes.message(tag, new byte[0]));
                    default -> throw new IllegalArgumentException("no answer " + tag);
                });
            }
            channel.pipeline().fireChannelReadComplete();
        });
        stillConnected();
    }

    /** The backend answers with an ErrorResponse. */
    void error(String sqlState, String message) {
        loop.run(() -> {
            channel.pipeline().fireChannelRead(ErrorResponse.encode(UnpooledByteBufAllocator.DEFAULT,
                    PgError.error(sqlState, message)));
            channel.pipeline().fireChannelReadComplete();
        });
        stillConnected();
    }

    /** pgmux hangs up on a backend that breaks the protocol: here, that is a script answering what was not asked. */
    private void stillConnected() {
        if (!channel.isActive()) {
            throw new AssertionError("pgmux closed the connection to the scripted backend: an answer too many?");
        }
    }

    void hangUp() {
        TestBackends.hangUp(server);
    }

    private static String describe(ByteBuf frame) {
        char tag = (char) frame.getByte(frame.readerIndex());
        ByteBuf body = frame.duplicate().skipBytes(5);
        return switch (tag) {
            case 'P' -> "Parse " + name(body) + " " + PgBuffers.readCString(body);
            case 'B' -> "Bind " + name(body) + " " + name(body);
            case 'D' -> "Describe " + (char) body.readByte() + " " + name(body);
            case 'C' -> "Close " + (char) body.readByte() + " " + name(body);
            case 'E' -> "Execute " + name(body);
            case 'S' -> "Sync";
            case 'Q' -> "Query " + PgBuffers.readCString(body);
            default -> String.valueOf(tag);
        };
    }

    private static String name(ByteBuf body) {
        String name = PgBuffers.readCString(body);
        return name.isEmpty() ? "-" : name;
    }

    @Override
    public void serverMessage(ByteBuf frame) {
        char tag = (char) frame.getByte(frame.readerIndex());
        if (tag == 'E') {
            PgError error = ErrorResponse.decode(frame.duplicate().skipBytes(5));
            toClient.add("E " + error.sqlState() + " " + error.message());
        } else {
            toClient.add(String.valueOf(tag));
        }
        frame.release();
    }

    /** The pool's record of a server it lent to a client: it connects, logs in and is lent, then closes. */
    private static final class Lent extends ServerSlot {
        @Override
        public void connected(ServerConnection server) {
            changeState(ServerState.LOGIN);
        }

        @Override
        public void loginSucceeded(ServerConnection server) {
            changeState(ServerState.ACTIVE);
        }

        @Override
        public void loginFailed(ServerConnection server, PgError error, boolean retryable) {
            throw new AssertionError("the scripted backend refused nothing: " + error);
        }

        @Override
        public void closed(ServerConnection server, PgError reason) {
            changeState(ServerState.CLOSED);
        }
    }
}
