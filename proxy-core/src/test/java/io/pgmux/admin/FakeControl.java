package io.pgmux.admin;

import io.pgmux.admin.spi.AdminControl;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.admin.spi.ShutdownMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Records what the console asked for, as "verb argument" lines ("*" for all databases); the waiting commands
 * complete when the test completes their future. {@link #refusal}, when set, is thrown by the next call.
 */
final class FakeControl implements AdminControl {
    final List<String> calls = new ArrayList<>();
    CompletableFuture<Void> pause = new CompletableFuture<>();
    CompletableFuture<Void> suspend = new CompletableFuture<>();
    CompletableFuture<Void> waitClose = new CompletableFuture<>();
    AdminException refusal;

    private void record(String call) {
        calls.add(call);
        AdminException e = refusal;
        refusal = null;
        if (e != null) {
            throw e;
        }
    }

    private static String db(Optional<String> database) {
        return database.orElse("*");
    }

    @Override
    public CompletionStage<Void> pause(Optional<String> database) {
        record("pause " + db(database));
        return pause;
    }

    @Override
    public void resume(Optional<String> database) {
        record("resume " + db(database));
    }

    @Override
    public void disable(String database) {
        record("disable " + database);
    }

    @Override
    public void enable(String database) {
        record("enable " + database);
    }

    @Override
    public void reconnect(Optional<String> database) {
        record("reconnect " + db(database));
    }

    @Override
    public void kill(Optional<String> database) {
        record("kill " + db(database));
    }

    @Override
    public void killClient(long id) {
        record("kill_client " + id);
    }

    @Override
    public void killTenant(String tenant) {
        record("kill_tenant " + tenant);
    }

    @Override
    public CompletionStage<Void> waitClose(Optional<String> database) {
        record("wait_close " + db(database));
        return waitClose;
    }

    @Override
    public CompletionStage<Void> suspend() {
        record("suspend");
        return suspend;
    }

    @Override
    public CompletionStage<List<String>> reload() {
        record("reload");
        return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public void shutdown(ShutdownMode mode) {
        record("shutdown " + mode);
    }

    @Override
    public CompletionStage<Void> set(String key, String value) {
        record("set " + key + "=" + value);
        return CompletableFuture.completedFuture(null);
    }
}
