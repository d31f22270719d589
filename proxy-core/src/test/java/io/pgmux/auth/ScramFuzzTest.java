package io.pgmux.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pgmux.fuzz.Corpus;
import io.pgmux.fuzz.Mutations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes the server side of SCRAM-SHA-256 with arbitrary client-first and client-final messages (mutated seeds
 * from fuzz/scram-client-first and fuzz/scram-client-final, attribute lists built from arbitrary values, raw
 * bytes): the only exception is AuthenticationException, which the login turns into 28P01 or 08P01 and a closed
 * connection; a server-first-message is printable ASCII that echoes the client's nonce; and no proof but the
 * right one completes the exchange.
 */
@Tag("fuzz")
class ScramFuzzTest {
    private static final ScramSecret SECRET = ScramSecret.fromPassword("fuzz-secret");
    /** The nonces of the final-message seeds: r=CLIENTSERVER. */
    private static final byte[] CLIENT_FIRST = "n,,n=,r=CLIENT".getBytes(StandardCharsets.US_ASCII);
    private static final String SERVER_NONCE = "SERVER";

    @Property
    void clientFirstMessagesFailOnlyAsAuthentication(@ForAll("clientFirst") byte[] message) {
        ScramSha256Server server = new ScramSha256Server(SECRET, SERVER_NONCE);
        String outcome;
        try {
            byte[] serverFirst = server.serverFirstMessage(message);
            String text = new String(serverFirst, StandardCharsets.US_ASCII);
            assertTrue(text.matches("r=[\\x21-\\x2b\\x2d-\\x7e]+SERVER,s=[A-Za-z0-9+/=]+,i=4096"), text);
            outcome = "server-first sent";
        } catch (AuthenticationException e) {
            outcome = "refused";
        } catch (RuntimeException e) {
            throw new AssertionError("client-first " + show(message) + " threw " + e, e);
        }
        assertFalse(server.isComplete());
        Statistics.label("outcome").collect(outcome);
        Statistics.label("outcome").coverage(c -> c.check("server-first sent").percentage(p -> p > 10));
    }

    @Property
    void clientFinalMessagesFailOnlyAsAuthentication(@ForAll("clientFinal") byte[] message) {
        ScramSha256Server server = new ScramSha256Server(SECRET, SERVER_NONCE);
        server.serverFirstMessage(CLIENT_FIRST);
        try {
            server.serverFinalMessage(message);
            fail("a fuzzed proof completed the exchange: " + show(message));
        } catch (AuthenticationException e) {
            Statistics.label("refusal").collect(e.getMessage().replaceAll(" at offset \\d+", "")
                    .replaceAll("but found '.'", "but found another"));
        } catch (RuntimeException e) {
            throw new AssertionError("client-final " + show(message) + " threw " + e, e);
        }
        assertFalse(server.isComplete());
    }

    /** Attribute-level reading on its own: any text, any attribute asked for. */
    @Property
    void theAttributeReaderFailsOnlyAsAuthentication(@ForAll("attributeText") String text,
                                                      @ForAll("names") List<Character> names) {
        ScramMessageReader reader = new ScramMessageReader(text, "fuzzed message");
        try {
            for (char each : names) {
                if (reader.atEnd()) {
                    return;
                }
                if (each == '*') {
                    reader.skipExtensions();
                } else {
                    reader.read(each);
                }
            }
        } catch (AuthenticationException expected) {
            // the only way to refuse
        }
    }

    /** The right proof still completes, so the properties above are not vacuous. */
    @Example
    void aRealClientStillLogsIn() {
        ScramSha256Client client = new ScramSha256Client("fuzz-secret");
        ScramSha256Server server = new ScramSha256Server(SECRET);
        byte[] serverFirst = server.serverFirstMessage(client.clientFirstMessage());
        client.verifyServerFinal(server.serverFinalMessage(client.clientFinalMessage(serverFirst)));
        assertTrue(server.isComplete());
    }

    private static String show(byte[] message) {
        return new String(message, StandardCharsets.ISO_8859_1);
    }

    @Provide
    Arbitrary<byte[]> clientFirst() {
        Arbitrary<String> flag = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, Arbitraries.of("n", "y")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("p=tls-server-end-point", "", "x", "n=a")));
        Arbitrary<String> authzid = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, Arbitraries.just("")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("a=user", "a=")));
        Arbitrary<String> text = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().withCharRange('!', '+').withCharRange('-', '~')
                        .ofMaxLength(12)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(12)));
        Arbitrary<byte[]> built = Combinators.combine(flag, authzid, text, text, attributes(List.of('x', 'm')))
                .as((f, a, user, nonce, rest) -> (f + "," + a + ",n=" + user + ",r=" + nonce
                        + (rest.isEmpty() ? "" : "," + rest)).getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Mutations.of(Corpus.seeds("scram-client-first"), 3, 48)),
                net.jqwik.api.Tuple.of(2, built));
    }

    @Provide
    Arbitrary<byte[]> clientFinal() {
        Arbitrary<byte[]> built = Combinators.combine(
                Arbitraries.of("c=biws", "c=eSws", "c=", "c=!!", "c=bixhPXgs"),
                Arbitraries.of("r=CLIENTSERVER", "r=CLIENT", "r=", "r=CLIENTSERVERX"),
                attributes(List.of('p', 'x')))
                .as((binding, nonce, rest) -> (binding + "," + nonce + "," + rest).getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Mutations.of(Corpus.seeds("scram-client-final"), 3, 80)),
                net.jqwik.api.Tuple.of(2, built));
    }

    /** name=value pairs, with names from {@code names} or any letter, values arbitrary text or base64. */
    private static Arbitrary<String> attributes(List<Character> names) {
        Arbitrary<Character> name = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.of(names)),
                net.jqwik.api.Tuple.of(1, Arbitraries.chars().range('a', 'z')));
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(20),
                Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
                        .ofMaxLength(48));
        return Combinators.combine(name, value).as((n, v) -> n + "=" + v).list().ofMaxSize(4)
                .map(list -> String.join(",", list));
    }

    @Provide
    Arbitrary<String> attributeText() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
                attributes(List.of('n', 'r', 'c', 'p')));
    }

    @Provide
    Arbitrary<List<Character>> names() {
        return Arbitraries.of('n', 'r', 'c', 'p', 'm', '*', 'Z').list().ofMaxSize(5);
    }
}
