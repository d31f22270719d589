package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    @Test
    void releaseGivesBackExactlyWhatWasTakenOnce() {
        AtomicInteger clients = new AtomicInteger();
        AtomicInteger tenant = new AtomicInteger();
        Admission admission = new Admission();
        assertTrue(admission.take(clients, 0));
        assertTrue(admission.take(tenant, 5));
        assertEquals(1, clients.get());
        assertEquals(1, tenant.get());
        admission.release();
        admission.release();
        assertEquals(0, clients.get());
        assertEquals(0, tenant.get());
    }

    @Test
    void aRefusedSlotIsNotHeld() {
        AtomicInteger clients = new AtomicInteger(2);
        Admission admission = new Admission();
        assertFalse(admission.take(clients, 2));
        admission.release();
        assertEquals(2, clients.get());
    }

    @Test
    void aThirdSlotIsRefusedAndNotCounted() {
        AtomicInteger counter = new AtomicInteger();
        Admission admission = new Admission();
        admission.take(counter, 0);
        admission.take(counter, 0);
        assertThrows(IllegalStateException.class, () -> admission.take(counter, 0));
        assertEquals(2, counter.get());
        admission.release();
        assertEquals(0, counter.get());
    }
}
