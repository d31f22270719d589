package io.pgmux.config;

import static io.pgmux.config.TestConfigs.assertProblem;
import static io.pgmux.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** listen.so_reuseport, peer_id and peers: PgBouncer's settings for several processes on one port. */
final class PeersConfigTest {
    @Test
    void offByDefault() {
        PgmuxConfig config = TestConfigs.parse("databases: {app: {}}\n");
        assertFalse(config.listen().soReuseport());
        assertFalse(config.peers().enabled());
        assertEquals(Map.of(), config.peers().peers());
        assertEquals(Optional.empty(), config.peers().own());
    }

    @Test
    void aGroupSharingAPortWithAnAddressEach() {
        PgmuxConfig config = TestConfigs.parse("""
                listen: {host: 0.0.0.0, port: 6432, so_reuseport: true}
                peer_id: ${PGMUX_PEER_ID}
                peers:
                  1: {host: 127.0.0.1, port: 6441}
                  2: {host: 127.0.0.1, port: 6442}
                databases: {app: {}}
                """, Map.of("PGMUX_PEER_ID", "2"));
        assertTrue(config.listen().soReuseport());
        assertEquals(2, config.peers().peerId());
        assertEquals(Optional.of(new ListenConfig("127.0.0.1", 6442)), config.peers().own());
        assertEquals(Optional.of(new ListenConfig("127.0.0.1", 6441)), config.peers().peer(1));
        assertEquals(Optional.empty(), config.peers().peer(3));
    }

    @Test
    void peerIdsAreFrom1To16383() {
        assertProblem(problems("peer_id: 16384\ndatabases: {app: {}}\n"), "peer_id", 1, "got \"16384\"");
        assertProblem(problems("peer_id: -1\ndatabases: {app: {}}\n"), "peer_id", 1, "got \"-1\"");
        assertProblem(problems("""
                peer_id: 1
                peers:
                  0: {host: a, port: 1}
                  x: {host: b, port: 2}
                databases: {app: {}}
                """), "peers.0", 3, "got \"0\"");
        assertProblem(problems("""
                peer_id: 1
                peers:
                  x: {host: b, port: 2}
                databases: {app: {}}
                """), "peers.x", 3, "got \"x\"");
    }

    @Test
    void peersWithoutAPeerIdAreAMistake() {
        assertProblem(problems("""
                peers:
                  1: {host: 127.0.0.1, port: 6441}
                databases: {app: {}}
                """), "peer_id", 1, "peers are configured but peer_id is not set");
    }

    @Test
    void eachPeerNeedsAnAddressOfItsOwn() {
        ConfigException e = problems("""
                listen: {port: 6432, so_reuseport: true}
                peer_id: 1
                peers:
                  1: {host: 127.0.0.1, port: 6432}
                  2: {host: 127.0.0.1, port: 6442}
                  3: {host: 127.0.0.1, port: 6442}
                  4: {port: 6444, dbname: x}
                databases: {app: {}}
                """);
        assertProblem(e, "peers.1", 4, "own peer address is its shared listen address");
        assertProblem(e, "peers.3", 6, "peers 2 and 3 have the same address 127.0.0.1:6442");
        assertProblem(e, "peers.4.host", 7, "required");
        assertProblem(e, "peers.4.dbname", 7, "unknown key");
        // Without so_reuseport the listen address is the process's own: it may be its peer address as well.
        TestConfigs.parse("""
                listen: {port: 6432}
                peer_id: 1
                peers:
                  1: {host: 127.0.0.1, port: 6432}
                databases: {app: {}}
                """);
    }

    @Test
    void aPeerIdLeavesRoomFor65536Clients() {
        assertProblem(problems("peer_id: 1\nmax_client_connections: 65537\ndatabases: {app: {}}\n"),
                "max_client_connections", 2, "at most 65536 with peer_id");
        TestConfigs.parse("peer_id: 1\nmax_client_connections: 65536\ndatabases: {app: {}}\n");
        TestConfigs.parse("max_client_connections: 100000\ndatabases: {app: {}}\n");
    }

    @Test
    void soReuseportIsABoolean() {
        assertProblem(problems("listen: {so_reuseport: maybe}\ndatabases: {app: {}}\n"), "listen.so_reuseport", 1,
                "true or false");
    }
}
