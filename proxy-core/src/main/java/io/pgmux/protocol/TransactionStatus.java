package io.pgmux.protocol;

/** The transaction status a backend reports in ReadyForQuery. */
public enum TransactionStatus {
    IDLE('I'),
    IN_TRANSACTION('T'),
    FAILED('E');

    private final byte code;

    TransactionStatus(char code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    public static TransactionStatus fromCode(byte code) {
        switch (code) {
            case 'I':
                return IDLE;
            case 'T':
                return IN_TRANSACTION;
            case 'E':
                return FAILED;
            default:
                throw new ProtocolException("ReadyForQuery status: " + (char) code + " (expected: I, T or E)");
        }
    }
}
