package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import org.junit.jupiter.api.Test;

class DrainStateTest {
    @Test
    void aClientStartsDrainingAndNeverGoesBack() {
        assertEquals(DrainState.DRAINING, DrainState.SERVING.moveTo(DrainState.DRAINING));
        assertThrows(IllegalStateException.class, () -> DrainState.DRAINING.moveTo(DrainState.SERVING));
    }

    @Test
    void aDrainedClientGetsPostgresFatalAdminShutdown() {
        assertEquals(PgError.FATAL, DrainState.ADMIN_SHUTDOWN.severity());
        assertEquals(SqlState.ADMIN_SHUTDOWN, DrainState.ADMIN_SHUTDOWN.sqlState());
        assertEquals("terminating connection due to administrator command", DrainState.ADMIN_SHUTDOWN.message());
    }
}
