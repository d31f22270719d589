package io.pgmux.admin.live;

import io.pgmux.client.ClientConnection;
import java.util.function.Consumer;

/** What the console's live view reads of the client side: the logged-in clients and the databases DISABLE holds. */
public interface ClientDirectory {
    /** No clients and nothing disabled: for a view of the pools alone. */
    ClientDirectory NONE = new ClientDirectory() {
        @Override
        public void forEachClient(Consumer<ClientConnection> action) {
        }

        @Override
        public boolean isDisabled(String database) {
            return false;
        }

        @Override
        public int loginClients() {
            return 0;
        }
    };

    /** Every logged-in client now, from any thread; clients logging in meanwhile may be missed. */
    void forEachClient(Consumer<ClientConnection> action);

    /** Whether new logins to {@code database} are refused (DISABLE). */
    boolean isDisabled(String database);

    /**
     * Client connections logging in now: connected, and not yet logged in or closed, whether or not they have sent
     * a StartupMessage (PgBouncer's login_clients, SHOW LISTS).
     */
    int loginClients();
}
