package io.pgmux.config;

import static io.pgmux.config.TestConfigs.assertProblem;
import static io.pgmux.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A misspelt key must never silently leave a setting at its default, at any depth. */
final class UnknownKeysTest {
    @Test
    void unknownKeysAtEveryDepth() {
        ConfigException e = problems("""
                pool_size: 5
                listen: {hots: 0.0.0.0}
                databases:
                  app:
                    prot: 5433
                users:
                  - name: api
                    passwd: x
                tenants:
                  web: {poolsize: 3}
                admin: {user: [api]}
                metrics: {enable: false}
                """);
        assertEquals(7, e.problems().size(), e.getMessage());
        assertProblem(e, "pool_size", 1,
                "unknown key (did you mean \"default_pool_size\"?); expected one of: listen, pool_mode, auth_type,");
        assertProblem(e, "listen.hots", 2, "unknown key (did you mean \"host\"?); expected one of: host, port");
        assertProblem(e, "databases.app.prot", 5, "unknown key (did you mean \"port\"?); expected one of: host, port, dbname,"
                + " max_connections, pool_mode, user, password, pinning, auth_type, server_tls_sslmode,"
                + " server_tls_ca_file, server_tls_cert_file, server_tls_key_file, server_tls_sni,"
                + " server_tls_protocols, server_tls_ciphers, auth_user, auth_query, auth_dbname");
        assertProblem(e, "users[0].passwd", 8, "unknown key (did you mean \"password\"?); expected one of: name, password,"
                + " tenant, pool_mode,"
                + " pinning, auth_type, server_user, server_password");
        assertProblem(e, "tenants.web.poolsize", 10, "unknown key (did you mean \"pool_size\"?); expected one of: pool_size,"
                + " min_pool_size,"
                + " reserve_pool_size, reserve_pool_timeout, max_server_connections, max_client_connections,"
                + " query_wait_timeout, weight");
        assertProblem(e, "admin.user", 11, "unknown key (did you mean \"users\"?); expected one of: users, stats_users");
        assertProblem(e, "metrics.enable", 12, "unknown key (did you mean \"enabled\"?); expected one of: enabled, host, port");
    }

    @Test
    void aKeyOneOrTwoEditsFromAnAcceptedOneGetsASuggestion() {
        assertProblem(problems("databases: {app: {}}\nquery_wait_timout: 5s\n"), "query_wait_timout", 2,
                "unknown key (did you mean \"query_wait_timeout\"?); expected one of: listen,");
        assertEquals(1, YamlMap.editDistance("hots", "host"));
        assertEquals(2, YamlMap.editDistance("passwd", "password"));
    }

    /**
     * A key written without the prefix the accepted one has gets the one key that holds it as whole words (pool_size
     * above); where several do, none is singled out.
     */
    @Test
    void aKeyInsideSeveralAcceptedKeysGetsNoSuggestion() {
        ConfigProblem ambiguous = TestConfigs.onlyProblem(problems("databases: {app: {}}\ntimeout: 3s\n"));
        assertTrue(ambiguous.message().startsWith("unknown key; expected one of:"), "many keys end in _timeout: "
                + ambiguous.message());
    }

    @Test
    void topLevelListNamesEveryAcceptedKey() {
        ConfigProblem problem = TestConfigs.onlyProblem(problems("databases: {app: {}}\ntimeouts: {}\n"));
        assertEquals("unknown key; expected one of: listen, pool_mode, auth_type, allow_password_without_tls,"
                + " default_pool_size, default_tenant,"
                + " max_client_connections, max_server_connections, max_message_size, workers, transport,"
                + " server_reset_query, server_reset_query_always,"
                + " pinning, max_prepared_statements, server_connect_timeout, server_login_retry,"
                + " server_idle_timeout, server_lifetime, server_check_delay, server_check_query,"
                + " query_wait_timeout, query_wait_notify, query_timeout, client_idle_timeout,"
                + " client_login_timeout, idle_transaction_timeout, shutdown_timeout, client_tls_sslmode, client_tls_cert_file,"
                + " client_tls_key_file, client_tls_ca_file, client_tls_protocols, client_tls_ciphers,"
                + " server_tls_sslmode, server_tls_ca_file, server_tls_cert_file, server_tls_key_file,"
                + " server_tls_sni, server_tls_protocols, server_tls_ciphers, auth_user, auth_query, auth_dbname,"
                + " auth_query_cache_ttl, databases, tenants, users, hba, hba_file, admin, metrics, log_stats,"
                + " utilization_warn_percent, log_connections, log_disconnections, log_pooler_errors,"
                + " log_slow_query, peer_id, peers, fleet",
                problem.message());
        assertEquals(2, problem.line());
    }

    @Test
    void unknownKeysInsideAnUnusableSectionAreStillReported() {
        // The port is bad, yet the misspelt key beside it is reported too.
        ConfigException e = problems("databases:\n  app: {port: x, hots: y}\n");
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, "databases.app.hots", 2, "unknown key");
    }
}
