package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.server.ServerConnection;
import io.pgmux.server.UpstreamTarget;
import io.pgmux.testing.UnpooledSlot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionParametersTest {
    private static final Map<String, String> WELCOME = Map.of("application_name", "", "TimeZone", "UTC",
            "client_encoding", "UTF8", "standard_conforming_strings", "on", "session_authorization", "app_user");

    /** A server that has only been created: nothing reported, nothing set. */
    private static ServerConnection blankServer() {
        return new ServerConnection(1, new UpstreamTarget("127.0.0.1", 5432, "app", "app_user", null, Map.of()),
                new UnpooledSlot(), 10);
    }

    private static List<String> calls(String sql) {
        String select = "SET LOCAL statement_timeout = 0; SELECT ";
        assertTrue(sql.startsWith(select), sql);
        List<String> result = new ArrayList<>();
        for (String each : sql.substring(select.length()).split(", (?=pg_catalog\\.set_config)")) {
            result.add(each);
        }
        return result;
    }

    @Test
    void aResetStartupValueIsToldAsTheDatabaseReportedIt() {
        SessionParameters parameters = SessionParameters.fromStartup(
                Map.of("options", "-c DateStyle=SQL,DMY -c work_mem=5MB"));
        assertEquals("SQL,DMY", parameters.reportedStartupValue("datestyle"), "nothing reported yet: as written");
        parameters.startupReportedAs(Map.of("DateStyle", "SQL, DMY"));
        assertEquals("SQL, DMY", parameters.reportedStartupValue("datestyle"));
        assertEquals("5MB", parameters.reportedStartupValue("work_mem"));
        assertEquals(null, parameters.reportedStartupValue("timezone"), "not a startup setting");
    }

    @Test
    void startupOptionValuesAreSetAsTheServerReadsStartupValues() {
        SessionParameters parameters = SessionParameters.fromStartup(Map.of("user", "u", "database", "d",
                "application_name", "app1", "options", "-c search_path=a,b -c my.note=x\\ y --work-mem=5MB"));
        parameters.greeting(WELCOME);
        List<String> calls = calls(parameters.alignmentSql(blankServer()));
        assertTrue(calls.contains("pg_catalog.set_config(E'search_path', E'a,b', false)"), calls::toString);
        assertTrue(calls.contains("pg_catalog.set_config(E'my.note', E'x y', false)"), calls::toString);
        assertTrue(calls.contains("pg_catalog.set_config(E'work_mem', E'5MB', false)"), calls::toString);
        assertTrue(calls.contains("pg_catalog.set_config(E'application_name', E'app1', false)"), calls::toString);
        assertEquals("app1", parameters.startupValue("application_name"));
        assertEquals("a,b", parameters.startupValue("search_path"));
    }

    @Test
    void aDateStyleIsSetFromTheDefaultSoThatAPartOfOneKeepsTheConfiguredOtherPart() {
        SessionParameters parameters = SessionParameters.fromStartup(Map.of("user", "u", "options",
                "-c DateStyle=ISO"));
        parameters.greeting(WELCOME);
        List<String> calls = calls(parameters.alignmentSql(blankServer()));
        int reset = calls.indexOf("pg_catalog.set_config(E'datestyle', NULL, false)");
        int set = calls.indexOf("pg_catalog.set_config(E'datestyle', E'ISO', false)");
        assertTrue(reset >= 0 && set == reset + 1, calls::toString);
    }

    @Test
    void sessionAuthorizationComesFirstTheRoleLastAndWhatTheClientLacksIsReset() {
        SessionParameters parameters = SessionParameters.fromStartup(Map.of("user", "u"));
        parameters.greeting(WELCOME);
        ServerConnection server = blankServer();
        Map<String, String> answer = new HashMap<>();
        answer.put("role", "app_member");
        answer.put("session_authorization", "bob");
        answer.put("work_mem", "3MB");
        parameters.recordReadback(server, answer.keySet(), answer, (name, value) -> { });
        ServerConnection other = blankServer();
        other.recordExtraSetting("search_path", "elsewhere");
        List<String> calls = calls(parameters.alignmentSql(other));
        assertEquals("pg_catalog.set_config(E'session_authorization', E'bob', false)", calls.get(0));
        assertEquals("pg_catalog.set_config(E'role', E'app_member', false)", calls.get(calls.size() - 1));
        assertTrue(calls.contains("pg_catalog.set_config(E'search_path', NULL, false)"), calls::toString);
        assertTrue(calls.contains("pg_catalog.set_config(E'work_mem', E'3MB', false)"), calls::toString);
        parameters.recordAligned(other);
        String again = parameters.alignmentSql(other);
        // What is left is the reported parameters, which only the server's ParameterStatus records.
        assertFalse(again.contains("role") || again.contains("work_mem") || again.contains("search_path"), again);
    }

    @Test
    void aReadbackTakesDefaultsAsNoSettingAndTellsTheClientWhatItWasToldOtherwise() {
        SessionParameters parameters = SessionParameters.fromStartup(Map.of("application_name", "app1",
                "options", "-c work_mem=5MB"));
        parameters.greeting(WELCOME);
        ServerConnection server = blankServer();
        server.recordExtraSetting("role", "app_member");
        Map<String, String> answer = new HashMap<>();
        answer.put("role", "none");
        answer.put("work_mem", "6MB");
        answer.put("application_name", "app2");
        Map<String, String> told = new HashMap<>();
        parameters.recordReadback(server, Set.of("role", "work_mem", "application_name", "myapp.unset"), answer,
                told::put);
        assertEquals(Map.of("application_name", "app2"), told);
        assertEquals(Set.of("work_mem"), parameters.extraNames());
        assertEquals(Map.of("work_mem", "6MB"), server.extraSettings());
        assertFalse(parameters.reported("application_name", "app2"), "the client knows it now");
        assertTrue(parameters.reported("TimeZone", "Asia/Tokyo"));
    }

    /**
     * A ParameterStatus reaches the client only when it changes what the client believes: for the tracked
     * parameters its own values, for the others what the pool's welcome told it, in any spelling of the name.
     */
    @Test
    void aReportedParameterIsNewOnlyWhenItDiffersFromWhatTheClientWasTold() {
        SessionParameters parameters = SessionParameters.fromStartup(Map.of("user", "app_user",
                "TimeZone", "Europe/Paris"));
        Map<String, String> greeted = parameters.greeting(WELCOME);
        assertEquals("Europe/Paris", greeted.get("TimeZone"));
        assertEquals("UTF8", greeted.get("client_encoding"));

        assertFalse(parameters.reported("TimeZone", "Europe/Paris"));
        assertTrue(parameters.reported("timezone", "UTC"));
        assertFalse(parameters.reported("TimeZone", "UTC"));
        assertFalse(parameters.reported("session_authorization", "app_user"), "as welcomed");
        assertTrue(parameters.reported("session_authorization", "other"));
        assertFalse(parameters.reported("SESSION_AUTHORIZATION", "other"));
        assertTrue(parameters.reported("session_authorization", "app_user"));
        assertTrue(parameters.reported("in_hot_standby", "off"), "never told");
        assertFalse(parameters.reported("in_hot_standby", "off"));
        assertTrue(parameters.reported("application_name", "batch"));
        assertEquals("batch", parameters.applicationName());
    }
}
