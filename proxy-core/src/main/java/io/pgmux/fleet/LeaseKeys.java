package io.pgmux.fleet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The advisory-lock keys of a fleet's budgets: {@code pg_try_advisory_lock(key, slot)} takes slot {@code slot} of
 * a budget; {@code pg_try_advisory_lock_shared(demandKey, 0)} says "this instance waits for a lease of it";
 * {@code pg_try_advisory_lock_shared(sizeKey, marker)} says how large this instance's file makes it (see
 * {@link BudgetSize}). A key
 * is the first 32 bits of SHA-256 over the fleet's name and the budget's name, so every instance that runs the
 * same file derives the same keys, and fleets of other names (or other applications' advisory locks, which rarely
 * use the two-key form) are unlikely to collide.
 *
 * @param key       the first key of the budget's slots
 * @param demandKey the first key of its demand marker
 * @param sizeKey   the first key of its size markers
 */
public record LeaseKeys(int key, int demandKey, int sizeKey) {
    public static LeaseKeys of(String fleet, String budget) {
        return new LeaseKeys(hash("pgmux fleet\0" + fleet + "\0" + budget),
                hash("pgmux fleet\0" + fleet + "\0" + budget + "\0demand"),
                hash("pgmux fleet\0" + fleet + "\0" + budget + "\0size"));
    }

    private static int hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return (digest[0] & 0xff) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8 | (digest[3] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The key as pg_locks shows it in {@code classid} (an oid, so unsigned). */
    static long asOid(int key) {
        return Integer.toUnsignedLong(key);
    }
}
