package io.pgmux.admin.live;

import io.netty.channel.EventLoop;
import io.pgmux.client.ClientConnection;
import io.pgmux.client.ClientInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The logged-in clients as SHOW CLIENTS lists them, each read on its own event loop, where its session lives (its
 * prepared statements, its linked server): one task per loop for all of that loop's clients, the answer composed
 * once every loop has answered. No loop waits for another.
 */
public final class ClientCensus {
    private ClientCensus() {
    }

    /**
     * @param clients calls its argument for every logged-in client ({@link ClientDirectory#forEachClient})
     * @return every client's {@link ClientInfo}, ordered by id; fails when an event loop could not be asked (it is
     *         shutting down)
     */
    public static CompletableFuture<List<ClientInfo>> take(Consumer<Consumer<ClientConnection>> clients) {
        Map<EventLoop, List<ClientConnection>> byLoop = new LinkedHashMap<>();
        clients.accept(c -> byLoop.computeIfAbsent(c.eventLoop(), loop -> new ArrayList<>()).add(c));
        List<CompletableFuture<List<ClientInfo>>> parts = new ArrayList<>(byLoop.size());
        byLoop.forEach((loop, connections) -> {
            CompletableFuture<List<ClientInfo>> part = new CompletableFuture<>();
            parts.add(part);
            try {
                loop.execute(() -> {
                    try {
                        List<ClientInfo> infos = new ArrayList<>(connections.size());
                        for (ClientConnection each : connections) {
                            infos.add(each.info());
                        }
                        part.complete(infos);
                    } catch (RuntimeException | Error e) {
                        part.completeExceptionally(e);
                    }
                });
            } catch (RuntimeException e) { // the loop is shutting down
                part.completeExceptionally(e);
            }
        });
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
            List<ClientInfo> all = new ArrayList<>();
            for (CompletableFuture<List<ClientInfo>> each : parts) {
                all.addAll(each.join());
            }
            all.sort(java.util.Comparator.comparingLong(ClientInfo::id));
            return all;
        });
    }
}
