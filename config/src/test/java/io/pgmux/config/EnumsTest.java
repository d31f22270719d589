package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

final class EnumsTest {
    @Test
    void poolModeParsesIgnoringCase() {
        assertEquals(PoolMode.SESSION, PoolMode.parse("session"));
        assertEquals(PoolMode.SESSION, PoolMode.parse("Session"));
        assertEquals(PoolMode.TRANSACTION, PoolMode.parse("TRANSACTION"));
        assertThrows(IllegalArgumentException.class, () -> PoolMode.parse("statement"));
        assertThrows(IllegalArgumentException.class, () -> PoolMode.parse(""));
    }

    @Test
    void configNamesRoundTrip() {
        for (PoolMode mode : PoolMode.values()) {
            assertEquals(mode, PoolMode.parse(mode.configName()));
        }
        for (AuthType type : AuthType.values()) {
            assertEquals(type, AuthType.parse(type.configName()));
        }
        for (PinningPolicy policy : PinningPolicy.values()) {
            assertEquals(policy, PinningPolicy.parse(policy.configName()));
        }
        for (IoTransport transport : IoTransport.values()) {
            assertEquals(transport, IoTransport.parse(transport.configName()));
        }
        assertEquals("transaction", PoolMode.TRANSACTION.configName());
        assertEquals("io_uring", IoTransport.IO_URING.configName());
        assertEquals("scram-sha-256", AuthType.SCRAM_SHA_256.configName());
        assertEquals("pin", PinningPolicy.PIN.configName());
    }

    @Test
    void transportRefusesWhatNettyDoesNotOffer() {
        assertEquals(IoTransport.EPOLL, IoTransport.parse("EPOLL"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IoTransport.parse("kqueue"));
        assertEquals("unknown transport \"kqueue\"; expected auto, epoll, io_uring or nio", e.getMessage());
    }

    @Test
    void authTypeUsesPgHbaSpellings() {
        assertEquals(AuthType.SCRAM_SHA_256, AuthType.parse("SCRAM-SHA-256"));
        assertEquals(AuthType.MD5, AuthType.parse("md5"));
        assertEquals(AuthType.TRUST, AuthType.parse("trust"));
        assertEquals(AuthType.PASSWORD, AuthType.parse("password"));
        assertThrows(IllegalArgumentException.class, () -> AuthType.parse("scram_sha_256"));
    }
}
