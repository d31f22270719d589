package io.pgmux.admin.live;

import io.pgmux.admin.spi.PreparedRow;
import io.pgmux.client.ClientInfo;
import io.pgmux.pool.ServerInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds SHOW PREPARED's rows from one census of the servers and one of the clients: a row per pool (database,
 * user) and pgmux's server-side name that some server has prepared now or some client holds, counting the servers
 * that have it and the clients that hold it under a name of their own. The text comes from a client holding it;
 * a statement only servers still have shows an empty text (pgmux keeps no text beside its clients'). Sorted by
 * database, user, name.
 */
final class PreparedRows {
    /** The longest text shown, in characters; longer texts are cut and end in "...". */
    static final int STATEMENT_CHARS = 80;

    private PreparedRows() {
    }

    static List<PreparedRow> of(List<ServerInfo> servers, List<ClientInfo> clients) {
        Map<Key, Tally> byKey = new TreeMap<>();
        for (ServerInfo server : servers) {
            for (String name : server.preparedNames()) {
                byKey.computeIfAbsent(new Key(server.database(), server.user(), name), k -> new Tally()).servers++;
            }
        }
        for (ClientInfo client : clients) {
            for (Map.Entry<String, String> held : client.heldStatements().entrySet()) {
                Tally tally = byKey.computeIfAbsent(new Key(client.database(), client.user(), held.getKey()),
                        k -> new Tally());
                tally.clients++;
                if (tally.text == null) {
                    tally.text = held.getValue();
                }
            }
        }
        List<PreparedRow> rows = new ArrayList<>(byKey.size());
        byKey.forEach((key, tally) -> rows.add(new PreparedRow(key.database(), key.user(), key.name(),
                readable(tally.text == null ? "" : tally.text), tally.servers, tally.clients)));
        return rows;
    }

    /** The text on one line (runs of whitespace as one space), cut to {@link #STATEMENT_CHARS}. */
    static String readable(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        if (line.length() <= STATEMENT_CHARS) {
            return line;
        }
        int end = STATEMENT_CHARS - 3;
        if (Character.isHighSurrogate(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(0, end) + "...";
    }

    private record Key(String database, String user, String name) implements Comparable<Key> {
        private static final Comparator<Key> ORDER = Comparator.comparing(Key::database)
                .thenComparing(Key::user).thenComparing(Key::name);

        @Override
        public int compareTo(Key other) {
            return ORDER.compare(this, other);
        }
    }

    private static final class Tally {
        int servers;
        int clients;
        String text;
    }
}
