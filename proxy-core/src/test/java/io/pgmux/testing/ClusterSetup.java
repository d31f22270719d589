package io.pgmux.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The roles, database and pg_hba.conf rules shared by every kind of test cluster. */
final class ClusterSetup {

    private ClusterSetup() {
    }

    /**
     * pg_hba.conf allowing the superuser without a password and each test role only with its own
     * method. {@code hostCidrs} are the client networks: 127.0.0.1/32 locally, anything for a
     * container (connections arrive through Docker's bridge there).
     */
    static String pgHba(List<String> hostCidrs) {
        StringBuilder hba = new StringBuilder("# Written by io.pgmux.testing; first match wins.\n");
        hba.append("local all all trust\n");
        for (String cidr : hostCidrs) {
            hba.append("host all ").append(TestRole.SUPERUSER).append(' ').append(cidr).append(" trust\n");
            for (TestRole role : TestRole.values()) {
                if (role != TestRole.APP) { // app_user falls through to the catch-all below
                    hba.append("host all ").append(role.user()).append(' ').append(cidr).append(' ')
                            .append(role.hbaMethod()).append('\n');
                }
            }
        }
        for (String cidr : hostCidrs) {
            hba.append("host all all ").append(cidr).append(" scram-sha-256\n");
        }
        return hba.toString();
    }

    /**
     * Creates or resets the test roles and the app database. Idempotent, so an external server
     * that already has them (from an earlier run) is simply brought back to the expected state.
     */
    static void createRolesAndDatabases(Connection superuser) throws SQLException {
        superuser.setAutoCommit(true); // CREATE DATABASE refuses to run inside a transaction
        try (Statement st = superuser.createStatement()) {
            for (TestRole role : TestRole.values()) {
                // ALTER ROLE ... PASSWORD hashes with the session's password_encryption, which is
                // how md5_user ends up with an MD5 hash on a server that defaults to SCRAM.
                st.execute("SET password_encryption = " + literal(role.storedAs()));
                String verb = exists(superuser, "select 1 from pg_roles where rolname = ?", role.user())
                        ? "ALTER" : "CREATE";
                st.execute(verb + " ROLE " + role.user() + " LOGIN PASSWORD " + literal(role.password()));
            }
            st.execute("RESET password_encryption");
            if (!exists(superuser, "select 1 from pg_roles where rolname = ?", TestRole.MEMBER_ROLE)) {
                st.execute("CREATE ROLE " + TestRole.MEMBER_ROLE + " NOLOGIN");
            }
            st.execute("GRANT " + TestRole.MEMBER_ROLE + " TO " + TestRole.APP.user());
            if (!exists(superuser, "select 1 from pg_database where datname = ?", TestRole.APP_DATABASE)) {
                st.execute("CREATE DATABASE " + TestRole.APP_DATABASE + " OWNER " + TestRole.APP.user());
            }
        }
    }

    /**
     * The table whose row only the member role sees ({@link TestRole#MEMBER_ROLE_TABLE}): row-level security
     * shows it to a session whose current user is that role, whatever roles the login user inherits from.
     * Created by the superuser connected to the app database. Idempotent.
     */
    static void createMemberTable(Connection superuserInAppDatabase) throws SQLException {
        try (Statement st = superuserInAppDatabase.createStatement()) {
            String table = TestRole.MEMBER_ROLE_TABLE;
            st.execute("DROP TABLE IF EXISTS " + table);
            st.execute("CREATE TABLE " + table + " (secret text)");
            st.execute("INSERT INTO " + table + " VALUES ('only for " + TestRole.MEMBER_ROLE + "')");
            st.execute("ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY");
            st.execute("CREATE POLICY member_only ON " + table + " FOR SELECT USING (current_user = "
                    + literal(TestRole.MEMBER_ROLE) + ")");
            st.execute("GRANT SELECT ON " + table + " TO PUBLIC");
        }
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Quotes a value as an SQL (and postgresql.conf) string literal. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
