package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random pipelines of the messages that act on prepared statements and transactions (Parse, Bind, Execute,
 * Describe and Close of named and unnamed statements, Sync, Flush, and Queries such as DEALLOCATE, DISCARD ALL,
 * BEGIN, ROLLBACK, savepoints, statements that fail), each sent in one write, answered by pgmux as by PostgreSQL
 * itself. Three clients share one server through pgmux, sending at once; each also runs its pipelines alone on a
 * direct connection. Every answer is compared: message types, SQLSTATEs, command tags, the first column of rows,
 * the transaction status.
 *
 * <p>A quick run in the build ({@value #DEFAULT_SEEDS} seeds); a long one with {@code -Dpgmux.diff.seeds=5000}
 * (and {@code -Dpgmux.diff.first=N} to start elsewhere): see docs/RELIABILITY.md. A failure names the seed, the
 * client and the pipelines up to the one that differed.
 */
@ExtendWith(PostgresExtension.class)
@Tag("reliability")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PipelineDifferentialIT {
    static final int DEFAULT_SEEDS = 60;
    private static final int CLIENTS = 3;
    private static final int ROUNDS = 3;
    private static final String[] NAMES = {"a", "b", "c", ""};
    private static final String[] TEXTS = {"select 1", "select 2", "select 1/0", "selec",
        "select 1/(random()*0)::int"};
    private static final String[] QUERIES = {"DEALLOCATE a", "DEALLOCATE b", "DEALLOCATE ALL", "DISCARD ALL",
        "select 1", "select 1/0", "BEGIN", "ROLLBACK", "COMMIT", "SAVEPOINT x", "ROLLBACK TO SAVEPOINT x",
        "DEALLOCATE PREPARE c"};

    private final PostgresCluster cluster;

    PipelineDifferentialIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /** One pipeline: its bytes and how it reads, for the failure message. */
    private record Pipeline(byte[] bytes, String text) {
    }

    @Test
    void randomPipelinesAnswerAsOnADirectConnection() {
        int seeds = Integer.getInteger("pgmux.diff.seeds", DEFAULT_SEEDS);
        long first = Long.getLong("pgmux.diff.first", 1);
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start()) {
            for (long seed = first; seed < first + seeds; seed++) {
                Random random = new Random(seed);
                List<List<Pipeline>> pipelines = new ArrayList<>();
                for (int client = 0; client < CLIENTS; client++) {
                    List<Pipeline> rounds = new ArrayList<>();
                    for (int round = 0; round < ROUNDS; round++) {
                        rounds.add(pipeline(random, 3 + random.nextInt(10)));
                    }
                    pipelines.add(rounds);
                }
                compare(seed, pipelines, directly(pipelines), throughPgmux(proxy, pipelines));
            }
        }
    }

    private static void compare(long seed, List<List<Pipeline>> pipelines, List<List<String>> direct,
                                List<List<String>> through) {
        for (int client = 0; client < CLIENTS; client++) {
            for (int round = 0; round < ROUNDS; round++) {
                if (!direct.get(client).get(round).equals(through.get(client).get(round))) {
                    StringBuilder sent = new StringBuilder();
                    for (int each = 0; each <= round; each++) {
                        sent.append("\n  pipeline ").append(each).append(": ")
                                .append(pipelines.get(client).get(each).text());
                    }
                    assertEquals(direct.get(client).get(round), through.get(client).get(round),
                            "seed " + seed + ", client " + client + ", pipeline " + round + sent);
                }
            }
        }
    }

    /** Each client on a connection of its own, its pipelines one after the other. */
    private List<List<String>> directly(List<List<Pipeline>> pipelines) {
        List<List<String>> answers = new ArrayList<>();
        for (List<Pipeline> rounds : pipelines) {
            try (RawPgClient client = Raw.direct(cluster)) {
                List<String> each = new ArrayList<>();
                for (Pipeline pipeline : rounds) {
                    client.sendRaw(pipeline.bytes());
                    each.add(answer(client));
                }
                answers.add(each);
            }
        }
        return answers;
    }

    /** The clients at once on pgmux's one server: each round, all send, then all read. */
    private static List<List<String>> throughPgmux(ProxyFixture proxy, List<List<Pipeline>> pipelines) {
        List<RawPgClient> clients = new ArrayList<>();
        try {
            List<List<String>> answers = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                clients.add(proxy.rawLogin());
                answers.add(new ArrayList<>());
            }
            for (int round = 0; round < ROUNDS; round++) {
                for (int client = 0; client < CLIENTS; client++) {
                    clients.get(client).sendRaw(pipelines.get(client).get(round).bytes());
                }
                for (int client = 0; client < CLIENTS; client++) {
                    answers.get(client).add(answer(clients.get(client)));
                }
            }
            return answers;
        } finally {
            clients.forEach(RawPgClient::close);
        }
    }

    /**
     * A random pipeline of {@code length} messages, then a Sync, a ROLLBACK and {@code select 'END'}, so that it
     * always ends answered, with no transaction left open.
     */
    private static Pipeline pipeline(Random random, int length) {
        Wire wire = new Wire();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            String name = NAMES[random.nextInt(NAMES.length)];
            switch ("PPBBEDCQQSSF".charAt(random.nextInt(12))) {
                case 'P' -> {
                    String sql = TEXTS[random.nextInt(TEXTS.length)];
                    wire.parse(name, sql);
                    text.append(" P(").append(name).append(", ").append(sql).append(')');
                }
                case 'B' -> {
                    wire.bind("", name);
                    text.append(" B(").append(name).append(')');
                }
                case 'E' -> {
                    wire.execute("");
                    text.append(" E");
                }
                case 'D' -> {
                    wire.describeStatement(name);
                    text.append(" D(").append(name).append(')');
                }
                case 'C' -> {
                    wire.closeStatement(name);
                    text.append(" C(").append(name).append(')');
                }
                case 'Q' -> {
                    String sql = QUERIES[random.nextInt(QUERIES.length)];
                    wire.query(sql);
                    text.append(" Q(").append(sql).append(')');
                }
                case 'S' -> {
                    wire.sync();
                    text.append(" S");
                }
                default -> {
                    wire.flush();
                    text.append(" F");
                }
            }
        }
        wire.sync().query("ROLLBACK").query("select 'END'");
        return new Pipeline(wire.bytes(), text.toString().trim());
    }

    /** The answers up to the ReadyForQuery after {@code select 'END'}, summarised. */
    private static String answer(RawPgClient client) {
        StringBuilder answer = new StringBuilder();
        boolean end = false;
        while (true) {
            BackendMessage message = client.read();
            switch (message.type()) {
                case 'E' -> answer.append(" E").append(message.errorField('C'));
                case 'C' -> answer.append(" C(").append(message.commandTag()).append(')');
                case 'D' -> {
                    String first = message.dataRowText().get(0);
                    end = "END".equals(first);
                    answer.append(" D(").append(first).append(')');
                }
                case 'Z' -> answer.append(" Z").append(message.readyStatus());
                default -> answer.append(' ').append(message.type());
            }
            if (end && message.type() == 'Z') {
                return answer.toString().trim();
            }
        }
    }
}
