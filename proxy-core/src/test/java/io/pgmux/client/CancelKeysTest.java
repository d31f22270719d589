package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.protocol.frontend.CancelRequest;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The BackendKeyData layout, with and without a peer id. */
final class CancelKeysTest {
    private final Random random = new Random(7);

    @Test
    void withoutPeeringBothHalvesAreRandomAndTheProcessIdPositive() {
        CancelKeys keys = new CancelKeys(0);
        Set<Integer> highBits = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            BackendKeyData key = keys.next(random);
            assertTrue(key.processId() > 0, "positive, as PostgreSQL's are: " + key.processId());
            assertTrue(keys.isOwn(key.processId()));
            highBits.add(key.processId() >>> 17);
        }
        assertTrue(highBits.size() > 1000, "the high bits are random too");
        assertTrue(keys.sameSecret(5, 5));
        assertFalse(keys.sameSecret(5, 5 | 1 << 30), "every bit of the secret counts");
    }

    @Test
    void aPeerIdIsInTheProcessIdAndTheTtlInTheSecret() {
        CancelKeys one = new CancelKeys(1);
        CancelKeys last = new CancelKeys(16383);
        for (int i = 0; i < 2000; i++) {
            BackendKeyData key = last.next(random);
            assertTrue(key.processId() > 0, "still positive with the largest peer id: " + key.processId());
            assertEquals(16383, last.peerOf(key.processId()));
            assertTrue(last.isOwn(key.processId()));
            assertFalse(one.isOwn(key.processId()));
            assertEquals(16383, one.peerOf(key.processId()), "any process of the group reads the owner");
            assertEquals(CancelKeys.TTL, CancelKeys.ttl(new CancelRequest(key.processId(), key.secretKey())));
        }
        assertThrows(IllegalArgumentException.class, () -> new CancelKeys(16384));
    }

    @Test
    void forwardingLowersTheTtlUntilItIsSpentAndTheKeyStillMatches() {
        CancelKeys keys = new CancelKeys(9);
        BackendKeyData key = keys.next(random);
        CancelRequest request = new CancelRequest(key.processId(), key.secretKey());
        for (int ttl = CancelKeys.TTL - 1; ttl >= 0; ttl--) {
            request = CancelKeys.forwarded(request);
            assertEquals(ttl, CancelKeys.ttl(request));
            assertEquals(key.processId(), request.processId());
            assertTrue(keys.sameSecret(key.secretKey(), request.secretKey()), "the TTL is not part of the secret");
        }
        CancelRequest spent = request;
        assertThrows(IllegalStateException.class, () -> CancelKeys.forwarded(spent));
        assertFalse(keys.sameSecret(key.secretKey(), key.secretKey() ^ 1), "the rest of the secret is");
    }
}
