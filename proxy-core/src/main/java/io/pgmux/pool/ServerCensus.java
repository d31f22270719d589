package io.pgmux.pool;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Ticker;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.server.ServerConnection;
import io.pgmux.tls.TlsSessionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Lists every server connection without stopping anyone: each event loop is asked, by a task posted to it, for the
 * servers it runs (its own idle and active lists, which only it touches, and those of the lock-guarded lists
 * whose channel it serves, read under one short hold of the pool lock), and the answer is composed once every
 * loop has answered. No loop waits for another; the caller gets a stage.
 *
 * <p>Each loop's part is a moment's view of that loop; a server moving between loops while the loops answer
 * may be listed twice or not at all. Servers that are closing are left out, as SHOW POOLS leaves them out.
 */
final class ServerCensus {
    private final EventLoops loops;
    private final PoolLock lock;
    private final Ticker ticker;
    private final PoolRegistry registry;

    ServerCensus(EventLoops loops, PoolLock lock, Ticker ticker, PoolRegistry registry) {
        this.loops = loops;
        this.lock = lock;
        this.ticker = ticker;
        this.registry = registry;
    }

    /** Every open server connection, by pool (database, then user) and then by loop; completes on some loop. */
    CompletableFuture<List<ServerInfo>> take() {
        ServerPool[] pools = registry.all();
        List<CompletableFuture<List<ServerInfo>>> parts = new ArrayList<>(loops.size());
        for (int i = 0; i < loops.size(); i++) {
            int index = i;
            EventLoop loop = loops.get(i);
            CompletableFuture<List<ServerInfo>> part = new CompletableFuture<>();
            parts.add(part);
            try {
                loop.execute(() -> {
                    try {
                        part.complete(onLoop(pools, index));
                    } catch (RuntimeException | Error e) {
                        part.completeExceptionally(e);
                    }
                });
            } catch (RuntimeException e) { // the loop is shutting down
                part.completeExceptionally(e);
            }
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
            List<ServerInfo> all = new ArrayList<>();
            for (CompletableFuture<List<ServerInfo>> each : parts) {
                all.addAll(each.join());
            }
            all.sort(java.util.Comparator.comparing(ServerInfo::database).thenComparing(ServerInfo::user)
                    .thenComparingLong(ServerInfo::id));
            return all;
        });
    }

    /** On loop {@code index}: the servers it runs. */
    private List<ServerInfo> onLoop(ServerPool[] pools, int index) {
        EventLoop loop = loops.get(index);
        long now = ticker.nanoTime();
        List<ServerInfo> rows = new ArrayList<>();
        for (ServerPool pool : pools) {
            LoopServers mine = pool.byLoop()[index];
            add(mine.active, now, rows);
            add(mine.idle, now, rows);
        }
        // The lists guarded by the lock hold servers of every loop: this loop lists those it runs, and loop 0
        // those not yet connected (no channel, hence no loop to ask).
        List<PooledServer> guarded = new ArrayList<>();
        Work work = lock.enter();
        try {
            for (ServerPool pool : pools) {
                for (ServerList list : new ServerList[] {pool.connecting, pool.login, pool.checking, pool.resetting,
                    pool.beingCanceled, pool.handingOver}) {
                    for (PooledServer each = list.peekFirst(); each != null; each = each.next) {
                        Channel channel = each.server() == null ? null : each.server().channel();
                        if (channel == null ? index == 0 : channel.eventLoop() == loop) {
                            guarded.add(each);
                        }
                    }
                }
            }
        } finally {
            lock.exit(work);
        }
        for (PooledServer each : guarded) {
            rows.add(row(each, now));
        }
        return rows;
    }

    private static void add(ServerList list, long now, List<ServerInfo> rows) {
        for (PooledServer each = list.peekFirst(); each != null; each = each.next) {
            rows.add(row(each, now));
        }
    }

    private static ServerInfo row(PooledServer slot, long now) {
        ServerConnection server = slot.server();
        Channel channel = server == null ? null : server.channel();
        BackendKeyData key = server == null ? null : server.backendKey();
        String applicationName = server == null ? null : server.reportedParameters().get("application_name");
        return new ServerInfo(server == null ? 0 : server.id(), slot.pool.key().database(), slot.pool.key().user(),
                slot.state(), channel == null ? null : channel.remoteAddress(),
                channel == null ? null : channel.localAddress(), Math.max(0, now - slot.openedNanos),
                Math.max(0, now - slot.idleSinceNanos), slot.isStale(), key == null ? 0 : key.processId(),
                channel == null ? "" : TlsSessionInfo.of(channel).map(TlsSessionInfo::toString).orElse(""),
                applicationName == null ? "" : applicationName, server == null ? 0 : server.prepared().size(),
                slot.pool.stats().tenant().orElse(null),
                server == null ? java.util.Set.of() : server.prepared().preparedNames());
    }
}
