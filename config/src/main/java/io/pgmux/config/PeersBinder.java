package io.pgmux.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Reads {@code peer_id} and {@code peers} (PgBouncer's peering) into a {@link PeersConfig}. */
final class PeersBinder {
    private static final ValueType<Integer> PEER_ID = ValueType.integer(0, PeersConfig.MAX_PEER_ID);
    private static final ValueType<Integer> PEER_KEY = ValueType.integer(1, PeersConfig.MAX_PEER_ID);

    private PeersBinder() {
    }

    /**
     * @param listen where this process listens for clients: with so_reuseport its own peer address must differ,
     *               or a forwarded cancel could land on any process of the group again
     */
    static PeersConfig bind(YamlMap top, NodeReader reader, ListenConfig listen) {
        int peerId = top.get("peer_id", PEER_ID, 0);
        YamlMap section = top.map("peers");
        Map<Integer, ListenConfig> peers = new LinkedHashMap<>();
        Map<String, String> addresses = new HashMap<>();
        for (Map.Entry<String, NodeTuple> entry : section.named().entrySet()) {
            String path = section.pathOf(entry.getKey());
            Node keyNode = entry.getValue().getKeyNode();
            ScalarNode key = new ScalarNode(Tag.STR, entry.getKey(), keyNode.getStartMark(), keyNode.getEndMark(),
                    DumperOptions.ScalarStyle.PLAIN);
            Integer id = reader.read(key, path, PEER_KEY).orElse(null);
            YamlMap peer = reader.map(entry.getValue().getValueNode(), path, section.lineOf(entry.getKey()));
            Optional<String> host = peer.required("host", ValueType.nonEmptyString());
            Optional<Integer> port = peer.required("port", ValueType.port());
            peer.rejectUnknownKeys();
            if (id == null || host.isEmpty() || port.isEmpty()) {
                continue;
            }
            ListenConfig address = new ListenConfig(host.get(), port.get());
            String other = addresses.putIfAbsent(host.get() + ":" + port.get(), entry.getKey());
            if (other != null) {
                reader.problems().add(path, keyNode, "peers " + other + " and " + entry.getKey() + " have the same"
                        + " address " + host.get() + ":" + port.get() + "; each process needs an address of its own");
            } else if (id == peerId && listen.soReuseport() && host.get().equals(listen.host())
                    && port.get() == listen.port()) {
                reader.problems().add(path, keyNode, "this process's own peer address is its shared listen address"
                        + " (listen.so_reuseport), where a forwarded cancel request could reach any process of the"
                        + " group; give each process a port of its own here");
            }
            peers.put(id, address);
        }
        if (peerId == 0 && !peers.isEmpty() && !top.failed("peer_id")) {
            top.problem("peer_id", "peers are configured but peer_id is not set; give each process of the group"
                    + " its own peer_id from 1 to " + PeersConfig.MAX_PEER_ID + " (e.g. peer_id: ${PGMUX_PEER_ID})");
        }
        return new PeersConfig(peerId, peers);
    }
}
