package io.pgmux.bench;

/**
 * The messages of pgbench's select-only script ({@code pgbench -S}): one lookup of an account balance by key,
 * as libpq sends it in each protocol mode, and what PostgreSQL answers. Sizes and field values are those of a
 * real run, so framing and copying costs have realistic proportions.
 */
public final class Pgbench {
    public static final String SELECT_LITERAL = "SELECT abalance FROM pgbench_accounts WHERE aid = 48213;";
    public static final String SELECT_PARAM = "SELECT abalance FROM pgbench_accounts WHERE aid = $1;";
    /** pgbench's name for the prepared select of its built-in script. */
    public static final String STATEMENT = "P_0";

    private Pgbench() {
    }

    // ---- frontend ----------------------------------------------------------------------------------------

    public static byte[] query() {
        return Wire.message('Q').cstring(SELECT_LITERAL).end();
    }

    /** A Parse without parameter types (libpq's PQprepare and PQexecParams with paramTypes NULL). */
    public static byte[] parse(String statement) {
        return Wire.message('P').cstring(statement).cstring(SELECT_PARAM).int16(0).end();
    }

    /** Bind of the unnamed portal, one text parameter, default result formats. */
    public static byte[] bind(String statement) {
        return Wire.message('B').cstring("").cstring(statement).int16(0).int16(1).int32(5).bytes("48213").int16(0).end();
    }

    /** libpq describes the portal before every Execute. */
    public static byte[] describePortal() {
        return Wire.message('D').byte1('P').cstring("").end();
    }

    public static byte[] execute() {
        return Wire.message('E').cstring("").int32(0).end();
    }

    public static byte[] sync() {
        return Wire.message('S').end();
    }

    // ---- backend ---------------------------------------------------------------------------------------------

    /** One int4 column, abalance, of pgbench_accounts. */
    public static byte[] rowDescription() {
        return Wire.message('T').int16(1).cstring("abalance").int32(16397).int16(3).int32(23).int16(4).int32(-1)
                .int16(0).end();
    }

    public static byte[] dataRow() {
        return Wire.message('D').int16(1).int32(5).bytes("-2841").end();
    }

    public static byte[] commandComplete() {
        return Wire.message('C').cstring("SELECT 1").end();
    }

    public static byte[] readyForQuery() {
        return Wire.message('Z').byte1('I').end();
    }

    public static byte[] closeComplete() {
        return Wire.message('3').end();
    }

    public static byte[] parseComplete() {
        return Wire.message('1').end();
    }

    public static byte[] bindComplete() {
        return Wire.message('2').end();
    }
}
