package io.pgmux.testing;

import java.util.Objects;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link PostgresCluster} into constructor, lifecycle-method and test-method parameters.
 *
 * <p>{@code @ExtendWith(PostgresExtension.class)} gives the JVM-wide {@link PostgresCluster#shared()}.
 * For a cluster with other settings, register an instance:
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension PG = PostgresExtension.withSettings(Settings.defaults().withMaxConnections(25));
 * }</pre>
 * That cluster is started before the class's tests and closed after them (JUnit closes
 * AutoCloseable store values when their context ends). Use one of the two forms per class: two
 * resolvers for the same parameter type is an error in JUnit.
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    /** Null for the shared cluster. */
    private final PostgresCluster.Settings settings;

    /** The shared cluster; this is the constructor {@code @ExtendWith} uses. */
    public PostgresExtension() {
        this.settings = null;
    }

    private PostgresExtension(PostgresCluster.Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** A separate cluster with these settings for the class that registers this extension. */
    public static PostgresExtension withSettings(PostgresCluster.Settings settings) {
        return new PostgresExtension(settings);
    }

    /** Starts the cluster up front, so its start-up time and failures belong to the class, not its first test. */
    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == PostgresCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return cluster(extensionContext);
    }

    private PostgresCluster cluster(ExtensionContext context) {
        if (settings == null) {
            return PostgresCluster.shared();
        }
        // Keyed by this registration; lookups from method contexts find the class-level value.
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(this, key -> PostgresCluster.start(settings), PostgresCluster.class);
    }
}
