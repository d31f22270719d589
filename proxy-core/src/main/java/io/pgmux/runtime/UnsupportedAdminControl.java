package io.pgmux.runtime;

import io.pgmux.admin.spi.AdminControl;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.admin.spi.ShutdownMode;
import io.pgmux.protocol.SqlState;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The console's commands that change the running proxy, until pgmux can carry them out: each is refused with
 * ERROR 0A000 (feature_not_supported) naming the command, and the console session stays usable. SHOW works.
 */
public final class UnsupportedAdminControl implements AdminControl {
    private static AdminException refused(String command) {
        return new AdminException(SqlState.FEATURE_NOT_SUPPORTED, "pgmux: " + command + " is not supported yet");
    }

    private static CompletionStage<Void> refusedLater(String command) {
        return CompletableFuture.failedFuture(refused(command));
    }

    @Override
    public CompletionStage<Void> pause(Optional<String> database) {
        return refusedLater("PAUSE");
    }

    @Override
    public void resume(Optional<String> database) {
        throw refused("RESUME");
    }

    @Override
    public void disable(String database) {
        throw refused("DISABLE");
    }

    @Override
    public void enable(String database) {
        throw refused("ENABLE");
    }

    @Override
    public void reconnect(Optional<String> database) {
        throw refused("RECONNECT");
    }

    @Override
    public void kill(Optional<String> database) {
        throw refused("KILL");
    }

    @Override
    public void killClient(long id) {
        throw refused("KILL_CLIENT");
    }

    @Override
    public void killTenant(String tenant) {
        throw refused("KILL TENANT");
    }

    @Override
    public CompletionStage<Void> waitClose(Optional<String> database) {
        return refusedLater("WAIT_CLOSE");
    }

    @Override
    public CompletionStage<Void> suspend() {
        return refusedLater("SUSPEND");
    }

    @Override
    public void reload() {
        throw refused("RELOAD");
    }

    @Override
    public void shutdown(ShutdownMode mode) {
        throw refused("SHUTDOWN");
    }

    @Override
    public void set(String key, String value) {
        throw refused("SET");
    }
}
