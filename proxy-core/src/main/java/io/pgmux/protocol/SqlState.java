package io.pgmux.protocol;

/** The SQLSTATE codes pgmux itself reports (PostgreSQL Appendix A). */
public final class SqlState {
    public static final String CONNECTION_FAILURE = "08006";
    public static final String SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION = "08001";
    public static final String PROTOCOL_VIOLATION = "08P01";
    public static final String FEATURE_NOT_SUPPORTED = "0A000";
    public static final String INVALID_PARAMETER_VALUE = "22023";
    /** invalid_escape_sequence: a bad backslash escape in an E'...' string. */
    public static final String INVALID_ESCAPE_SEQUENCE = "22025";
    public static final String INVALID_TEXT_REPRESENTATION = "22P02";
    public static final String NO_ACTIVE_SQL_TRANSACTION = "25P01";
    /** in_failed_sql_transaction: a statement in a transaction block that failed, before its ROLLBACK. */
    public static final String IN_FAILED_SQL_TRANSACTION = "25P02";
    public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
    public static final String INVALID_PASSWORD = "28P01";
    public static final String INVALID_CATALOG_NAME = "3D000";
    public static final String INSUFFICIENT_PRIVILEGE = "42501";
    public static final String SYNTAX_ERROR = "42601";
    public static final String UNDEFINED_OBJECT = "42704";
    public static final String OUT_OF_MEMORY = "53200";
    public static final String TOO_MANY_CONNECTIONS = "53300";
    public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
    public static final String CANT_CHANGE_RUNTIME_PARAM = "55P02";
    public static final String QUERY_CANCELED = "57014";
    public static final String ADMIN_SHUTDOWN = "57P01";
    public static final String CANNOT_CONNECT_NOW = "57P03";
    public static final String CONFIG_FILE_ERROR = "F0000";
    public static final String IO_ERROR = "58030";
    public static final String INTERNAL_ERROR = "XX000";

    private SqlState() {
    }
}
