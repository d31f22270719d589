package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.pgmux.protocol.frontend.Bind;
import io.pgmux.protocol.frontend.Execute;
import io.pgmux.protocol.frontend.Parse;
import io.pgmux.stats.PoolCounter;
import io.pgmux.stats.PoolStats;
import io.pgmux.stats.PoolTotals;
import io.pgmux.stats.StatsRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The prepared-statement counts of SHOW STATS as PgBouncer defines them: total_client_parse_count "prepared
 * statements created by clients", total_bind_count their Binds. The unnamed statement counts in neither.
 */
class PreparedStatementCountsTest {
    private final ByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    private final PoolStats stats = new StatsRegistry().pool("app", "api", "web");

    private void count(ByteBuf frame) {
        try {
            PreparedStatementCounts.count(stats, frame.getByte(frame.readerIndex()), frame);
        } finally {
            frame.release();
        }
    }

    private ByteBuf parse(String name) {
        return Parse.encode(alloc, name, "select $1::int\0\0\0".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anUnnamedStatementIsNoPreparedStatement() {
        for (int i = 0; i < 3; i++) {
            count(parse(""));
            count(Bind.encodeText(alloc, "", "", List.of("1")));
            count(Execute.encode(alloc, "", 0));
        }
        PoolTotals t = stats.totals();
        assertEquals(0, t.get(PoolCounter.CLIENT_PARSES));
        assertEquals(0, t.get(PoolCounter.BINDS));
        assertEquals(0, t.get(PoolCounter.SERVER_PARSES));
    }

    @Test
    void aNamedStatementCountsOnceAndEachOfItsBinds() {
        count(parse("S_1"));
        for (int i = 0; i < 3; i++) {
            count(Bind.encodeText(alloc, "", "S_1", List.of(Integer.toString(i))));
            count(Execute.encode(alloc, "", 0));
        }
        count(Bind.encodeText(alloc, "C_1", "S_1", List.of("9")));
        count(Bind.encodeText(alloc, "C_2", "", List.of("9")));
        PoolTotals t = stats.totals();
        assertEquals(1, t.get(PoolCounter.CLIENT_PARSES));
        assertEquals(4, t.get(PoolCounter.BINDS), "a named portal of the named statement counts, of the unnamed not");
        assertEquals(0, t.get(PoolCounter.SERVER_PARSES), "pgmux's own Parses are counted where it sends them");
    }
}
