package io.pgmux.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransactionStatusTest {
    @Test
    void mapsTheThreeStatusBytes() {
        assertEquals(TransactionStatus.IDLE, TransactionStatus.fromCode((byte) 'I'));
        assertEquals(TransactionStatus.IN_TRANSACTION, TransactionStatus.fromCode((byte) 'T'));
        assertEquals(TransactionStatus.FAILED, TransactionStatus.fromCode((byte) 'E'));
        assertEquals((byte) 'I', TransactionStatus.IDLE.code());
        assertEquals((byte) 'T', TransactionStatus.IN_TRANSACTION.code());
        assertEquals((byte) 'E', TransactionStatus.FAILED.code());
    }

    @ParameterizedTest
    @ValueSource(bytes = {'X', 'i', 0, (byte) 0xc9})
    void rejectsAnyOtherByte(byte code) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> TransactionStatus.fromCode(code));
        assertTrue(e.getMessage().contains("ReadyForQuery status"), e.getMessage());
    }

    @Test
    void namesTheBadCodeInTheError() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> TransactionStatus.fromCode((byte) 'X'));
        assertTrue(e.getMessage().contains("X"), e.getMessage());
    }
}
