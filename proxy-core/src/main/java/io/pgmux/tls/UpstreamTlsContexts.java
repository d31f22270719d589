package io.pgmux.tls;

import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.ServerTlsConfig;
import io.pgmux.config.SslMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The server-side TLS contexts, one per distinct {@code server_tls_*} setting (databases with equal settings share
 * one), each as a future: an event loop asks for one with {@link #ready} and never waits for, or runs, its build.
 *
 * <p>Building the first context costs the JDK's TLS stack: about 400 classes and a few hundred milliseconds of CPU.
 * A setting that reads a file (a CA, a client certificate) or names cipher suites is built by {@link #of} when pgmux
 * starts, on the starting thread, so a bad file refuses the start with the setting's name. A setting that reads
 * nothing ({@code allow}, {@code prefer} or {@code require} without a CA file, client certificate or cipher list,
 * the default among them) can fail only if the JDK itself lacks TLS; its build is left to the builder executor, begun
 * by {@link #prepare} once pgmux listens, or by the first {@link #ready} that needs it. A server connection needs
 * its context only when the server has answered SSLRequest, one round trip after the connect, by when the build has
 * usually long finished.
 */
public final class UpstreamTlsContexts {
    private final Map<ServerTlsConfig, CompletableFuture<Optional<UpstreamTls>>> contexts = new ConcurrentHashMap<>();
    private final Executor builder;

    /** No contexts built ahead; each is built on first use, on the thread that asks (which must be free to block). */
    public UpstreamTlsContexts() {
        this(Runnable::run);
    }

    /** @param builder where a context not built ahead is built: never an event loop */
    public UpstreamTlsContexts(Executor builder) {
        this.builder = Objects.requireNonNull(builder, "builder");
    }

    /**
     * Builds now, on this thread, the contexts of the databases whose settings read files or name cipher suites;
     * the others are built by {@code builder}, from {@link #prepare} or their first {@link #ready}.
     *
     * @throws TlsSetupException naming the setting and file when one cannot be used
     */
    public static UpstreamTlsContexts of(PgmuxConfig config, Executor builder) {
        UpstreamTlsContexts contexts = new UpstreamTlsContexts(builder);
        for (ServerTlsConfig tls : settings(config)) {
            if (!deferrable(tls) && !contexts.contexts.containsKey(tls)) {
                contexts.contexts.put(tls, CompletableFuture.completedFuture(UpstreamTls.create(tls)));
            }
        }
        return contexts;
    }

    /** Starts building, with the builder, every context of {@code config} not built or begun yet. */
    public void prepare(PgmuxConfig config) {
        for (ServerTlsConfig tls : settings(config)) {
            ready(tls);
        }
    }

    /**
     * The context for {@code config} (empty when its sslmode is disable), as a future that fails with a {@link
     * TlsSetupException} when it cannot be built. Never blocks and never builds on the calling thread unless this
     * instance builds on its callers ({@link #UpstreamTlsContexts()}).
     */
    public CompletableFuture<Optional<UpstreamTls>> ready(ServerTlsConfig config) {
        CompletableFuture<Optional<UpstreamTls>> known = contexts.get(config);
        if (known != null) {
            return known;
        }
        if (config.sslmode() == SslMode.DISABLE) {
            return contexts.computeIfAbsent(config, plain -> CompletableFuture.completedFuture(Optional.empty()));
        }
        CompletableFuture<Optional<UpstreamTls>> building = new CompletableFuture<>();
        known = contexts.putIfAbsent(config, building);
        if (known != null) {
            return known;
        }
        try {
            builder.execute(() -> build(config, building));
        } catch (RejectedExecutionException busy) {
            // The builder's queue is full (a flood of logins): this connection fails, the next one tries again.
            contexts.remove(config, building);
            building.completeExceptionally(new TlsSetupException("server_tls: the TLS context could not be built"
                    + " now (" + busy.getMessage() + "); try again", busy));
        }
        return building;
    }

    /**
     * The context for {@code config}, waiting for its build: for threads that may block, never an event loop.
     *
     * @throws TlsSetupException naming the setting and file when it cannot be built
     */
    public Optional<UpstreamTls> forConfig(ServerTlsConfig config) {
        try {
            return ready(config).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof TlsSetupException setup ? setup
                    : new TlsSetupException("server_tls: cannot set up TLS: " + e.getCause(), e.getCause());
        }
    }

    private void build(ServerTlsConfig config, CompletableFuture<Optional<UpstreamTls>> building) {
        try {
            building.complete(UpstreamTls.create(config));
        } catch (RuntimeException e) {
            // Not kept: a file fixed since is read again by the next connection that asks.
            contexts.remove(config, building);
            building.completeExceptionally(e);
        }
    }

    /**
     * TLS whose build nothing in the settings can fail, only the JDK: no file to read (a CA, a client certificate,
     * the JDK's trust store that verify-full without a CA file reads), no cipher suite to look up.
     */
    static boolean deferrable(ServerTlsConfig tls) {
        return tls.sslmode() != SslMode.DISABLE && !tls.verifiesChain() && tls.caFile().isEmpty()
                && tls.certFile().isEmpty() && tls.keyFile().isEmpty() && tls.ciphers().isEmpty();
    }

    private static List<ServerTlsConfig> settings(PgmuxConfig config) {
        List<ServerTlsConfig> all = new ArrayList<>();
        all.add(config.serverTls());
        for (DatabaseConfig db : config.databases().values()) {
            all.add(db.serverTls());
        }
        return all;
    }
}
