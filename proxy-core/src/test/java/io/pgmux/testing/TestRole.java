package io.pgmux.testing;

/**
 * The login roles every test cluster has, one per password authentication method. Passwords are
 * deliberately trivial: these clusters listen on 127.0.0.1 only and live for one test run.
 */
public enum TestRole {
    /** Stored as SCRAM, authenticated with {@code scram-sha-256}. */
    SCRAM("scram_user", "scram_pw", "scram-sha-256", "scram-sha-256"),
    /** Stored as an MD5 hash, authenticated with {@code md5}. */
    MD5("md5_user", "md5_pw", "md5", "md5"),
    /** Authenticated with {@code password}: the client sends the password in clear text. */
    PLAIN("plain_user", "plain_pw", "scram-sha-256", "password"),
    /** The generic role tests use through the proxy; owns the database {@link #APP_DATABASE}. */
    APP("app_user", "app_pw", "scram-sha-256", "scram-sha-256");

    /** The database owned by {@link #APP}. */
    public static final String APP_DATABASE = "app";
    /** The bootstrap superuser, trusted on 127.0.0.1 (local clusters). */
    public static final String SUPERUSER = "postgres";
    /**
     * A role that cannot log in, of which {@link #APP} is a member: {@code SET ROLE} takes app_user to it, and
     * what it sees (the row of {@link #MEMBER_ROLE_TABLE}) app_user does not.
     */
    public static final String MEMBER_ROLE = "app_member";
    /** A table in the app database whose one row only a session running as {@link #MEMBER_ROLE} sees. */
    public static final String MEMBER_ROLE_TABLE = "member_only";

    private final String user;
    private final String password;
    private final String storedAs;
    private final String hbaMethod;

    TestRole(String user, String password, String storedAs, String hbaMethod) {
        this.user = user;
        this.password = password;
        this.storedAs = storedAs;
        this.hbaMethod = hbaMethod;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** The {@code password_encryption} in effect when the password was set. */
    public String storedAs() {
        return storedAs;
    }

    /** The pg_hba.conf method for this role on local clusters. */
    public String hbaMethod() {
        return hbaMethod;
    }
}
