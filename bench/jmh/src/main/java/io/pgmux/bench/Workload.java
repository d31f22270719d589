package io.pgmux.bench;

/**
 * One pgbench select-only transaction in each of pgbench's protocol modes ({@code -M}): what the client sends
 * in one write and what the server answers in one write.
 */
public enum Workload {
    /** {@code -M simple}: one Query with the key inlined. */
    SIMPLE(Pgbench.query(),
            Wire.concat(Pgbench.rowDescription(), Pgbench.dataRow(), Pgbench.commandComplete(), Pgbench.readyForQuery())),
    /** {@code -M extended}: an unnamed Parse before every Bind. */
    EXTENDED(Wire.concat(Pgbench.parse(""), Pgbench.bind(""), Pgbench.describePortal(), Pgbench.execute(),
            Pgbench.sync()),
            Wire.concat(Pgbench.parseComplete(), Pgbench.bindComplete(), Pgbench.rowDescription(), Pgbench.dataRow(),
                    Pgbench.commandComplete(), Pgbench.readyForQuery())),
    /** {@code -M prepared}: Bind of a statement prepared once per connection (see {@link #prepareRequest()}). */
    PREPARED(Wire.concat(Pgbench.bind(Pgbench.STATEMENT), Pgbench.describePortal(), Pgbench.execute(), Pgbench.sync()),
            Wire.concat(Pgbench.bindComplete(), Pgbench.rowDescription(), Pgbench.dataRow(), Pgbench.commandComplete(),
                    Pgbench.readyForQuery()));

    private final byte[] request;
    private final byte[] answer;

    Workload(byte[] request, byte[] answer) {
        this.request = request;
        this.answer = answer;
    }

    public byte[] request() {
        return request.clone();
    }

    public byte[] answer() {
        return answer.clone();
    }

    /** What the client sends once before its first transaction (PQprepare), or null. */
    public byte[] prepareRequest() {
        return this == PREPARED ? Wire.concat(Pgbench.parse(Pgbench.STATEMENT), Pgbench.sync()) : null;
    }

    public byte[] prepareAnswer() {
        return this == PREPARED ? Wire.concat(Pgbench.parseComplete(), Pgbench.readyForQuery()) : null;
    }
}
