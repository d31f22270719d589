package io.pgmux.client;

import io.pgmux.protocol.backend.BackendKeyData;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands each client a BackendKeyData of pgmux's own ({@link CancelKeys} gives its layout) and finds the client
 * again when a CancelRequest quotes it. The secret is random, so a CancelRequest cannot be forged by guessing
 * process ids.
 */
public final class CancelRegistry {
    private final ConcurrentHashMap<Integer, ClientConnection> byProcessId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final CancelKeys keys;

    CancelRegistry(CancelKeys keys) {
        this.keys = keys;
    }

    /** The layout of the keys handed out here. */
    CancelKeys keys() {
        return keys;
    }

    BackendKeyData register(ClientConnection client) {
        while (true) {
            BackendKeyData key = keys.next(random);
            if (byProcessId.putIfAbsent(key.processId(), client) == null) {
                return key;
            }
        }
    }

    void unregister(BackendKeyData key) {
        byProcessId.remove(key.processId());
    }

    /** The client the key belongs to, or null when none does (or the secret is wrong). */
    ClientConnection find(int processId, int secretKey) {
        ClientConnection client = byProcessId.get(processId);
        // The key is set on the client just after it is registered here.
        BackendKeyData handedOut = client == null ? null : client.cancelKey();
        return handedOut != null && keys.sameSecret(handedOut.secretKey(), secretKey) ? client : null;
    }

    /** Every logged-in client, for periodic checks. */
    void forEach(java.util.function.Consumer<ClientConnection> action) {
        byProcessId.values().forEach(action);
    }

    public int size() {
        return byProcessId.size();
    }
}
