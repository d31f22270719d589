package io.pgmux.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** With a fleet, an upstream whose control connection is down is not ready: no lease can be taken there. */
class ReadinessFleetTest {
    private final TestPools pools = new TestPools("databases: {app: {host: 127.0.0.1, port: 1}}\n");
    private final AtomicReference<Readiness.FleetControl> control =
            new AtomicReference<>(Readiness.FleetControl.UP);
    private final Readiness readiness = new Readiness(pools.pools, () -> ServingState.SERVING,
            address -> address.equals("127.0.0.1:1") ? control.get() : Readiness.FleetControl.NONE);

    @AfterEach
    void close() {
        pools.close();
    }

    @Test
    void theControlConnectionDecidesWithTheCircuit() {
        Readiness.Report up = readiness.check();
        assertTrue(up.ready());
        assertTrue(up.toJson().contains("\"fleet_control\":\"up\""), up.toJson());
        control.set(Readiness.FleetControl.DOWN);
        Readiness.Report down = readiness.check();
        assertFalse(down.ready());
        assertTrue(down.toJson().startsWith("{\"status\":\"not ready\""), down.toJson());
        assertTrue(down.toJson().contains("\"ready\":false,\"upstream\":\"127.0.0.1:1\",\"fleet_control\":\"down\""),
                down.toJson());
        control.set(Readiness.FleetControl.NONE);
        assertEquals(false, readiness.check().toJson().contains("fleet_control"));
    }
}
