package io.pgmux.session;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The SQL lexers of one pgmux, one per event loop, shared by the sessions that loop serves. A {@link SqlLexer} keeps
 * nothing from one text to the next and a loop lexes one text at a time, so a client needs no lexer of its own
 * (112 bytes, which it would otherwise keep from its first statement to the end of its life).
 */
public final class SqlLexers {
    private final ConcurrentMap<EventExecutor, SqlLexer> byLoop = new ConcurrentHashMap<>();

    /** The lexer of {@code loop}: to be used on that loop only. Made at its first client's login. */
    SqlLexer of(EventExecutor loop) {
        return byLoop.computeIfAbsent(loop, each -> new SqlLexer());
    }
}
