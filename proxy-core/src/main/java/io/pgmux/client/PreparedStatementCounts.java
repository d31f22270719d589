package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.frontend.Bind;
import io.pgmux.protocol.frontend.Parse;
import io.pgmux.stats.PoolStats;

/**
 * What a client's message adds to its pool's prepared-statement counts, as PgBouncer (1.21+) counts them in SHOW
 * STATS: {@code total_client_parse_count} the prepared statements clients create, i.e. Parses that name their
 * statement, and {@code total_bind_count} the Binds of such statements. The unnamed statement that every query of
 * the extended protocol parses and binds counts in neither. The check reads a byte or two of a frame already
 * validated; it allocates nothing.
 */
final class PreparedStatementCounts {
    private PreparedStatementCounts() {
    }

    /** Counts {@code frame} (tag {@code tag}, validated) in {@code stats} if it is a named Parse or Bind. */
    static void count(PoolStats stats, byte tag, ByteBuf frame) {
        if (tag == FrontendTag.PARSE) {
            if (Parse.hasStatementName(frame)) {
                stats.countClientParse();
            }
        } else if (tag == FrontendTag.BIND && Bind.hasStatementName(frame)) {
            stats.countBind();
        }
    }
}
