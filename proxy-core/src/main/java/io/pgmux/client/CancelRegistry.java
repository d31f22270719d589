package io.pgmux.client;

import io.pgmux.protocol.backend.BackendKeyData;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands each client a BackendKeyData of pgmux's own and finds the client again when a CancelRequest quotes it.
 * The secret is random, so a CancelRequest cannot be forged by guessing process ids.
 */
public final class CancelRegistry {
    private final ConcurrentHashMap<Integer, ClientConnection> byProcessId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    BackendKeyData register(ClientConnection client) {
        while (true) {
            int processId = random.nextInt() & 0x7FFFFFFF;
            if (processId != 0 && byProcessId.putIfAbsent(processId, client) == null) {
                return new BackendKeyData(processId, random.nextInt());
            }
        }
    }

    void unregister(BackendKeyData key) {
        byProcessId.remove(key.processId());
    }

    /** The client the key belongs to, or null when none does (or the secret is wrong). */
    ClientConnection find(int processId, int secretKey) {
        ClientConnection client = byProcessId.get(processId);
        return client != null && client.cancelKey().secretKey() == secretKey ? client : null;
    }

    /** Every logged-in client, for periodic checks. */
    void forEach(java.util.function.Consumer<ClientConnection> action) {
        byProcessId.values().forEach(action);
    }

    public int size() {
        return byProcessId.size();
    }
}
