package io.pgmux.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes what a client sends before it has logged in, through pgmux's real client pipeline: SSLRequest and
 * GSSENCRequest (EncryptionNegotiator), the StartupMessage or CancelRequest (StartupPacketDecoder), then the
 * password or SASL messages (MessageFramer in its login phases, PasswordExchange, ScramSha256Server), for each
 * auth_type that asks for a password. Inputs are the seeds of {@code fuzz/login} mutated, or raw bytes, cut into
 * arbitrary reads. The properties are those of {@link ClientPipeline#run}.
 *
 * <p>Short run: the suite's default tries. Long run: see docs/RELIABILITY.md.
 */
@Tag("fuzz")
class LoginFuzzTest {
    private static final List<String> AUTH_TYPES = List.of("scram-sha-256", "md5", "password");
    private static Map<String, ClientPipeline.Services> services;

    @BeforeContainer
    static void startServices() {
        services = new java.util.LinkedHashMap<>();
        for (String each : AUTH_TYPES) {
            services.put(each, new ClientPipeline.Services(each));
        }
    }

    @AfterContainer
    static void stopServices() {
        services.values().forEach(ClientPipeline.Services::close);
    }

    @Property
    void anyClientInputGetsAnAnswerOrAnErrorAndLeaksNothing(@ForAll("inputs") byte[] input,
                                                             @ForAll("readSizes") List<Integer> reads,
                                                             @ForAll("authTypes") String authType) {
        ClientPipeline.Outcome outcome = ClientPipeline.run(services.get(authType), Splits.cut(input, reads));
        Statistics.label("reached").collect(reached(outcome));
        Statistics.label("reached").coverage(coverage -> {
            coverage.check("an authentication request").percentage(p -> p > 5);
            coverage.check("a protocol error").percentage(p -> p > 5);
        });
    }

    /** Every seed, whole and cut in two at each of its bytes: a regression run that needs no randomness. */
    @Example
    void everySeedAtEveryBoundary() {
        Map<String, byte[]> seeds = Corpus.load("login");
        int runs = 0;
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            byte[] input = seed.getValue();
            for (ClientPipeline.Services each : services.values()) {
                for (int at = 0; at <= input.length; at++) {
                    try {
                        ClientPipeline.run(each, Splits.at(input, at));
                    } catch (AssertionError e) {
                        throw new AssertionError(seed.getKey() + " cut at " + at + " with " + each.authType, e);
                    }
                    runs++;
                }
            }
        }
        assertTrue(runs > seeds.size());
    }

    /** The fuzzer must reach past the startup packet, or its tries say nothing about the login. */
    @Example
    void theValidSeedsReachTheirStep() {
        ClientPipeline.Services scram = services.get("scram-sha-256");
        assertEquals(List.of("R"), ClientPipeline.run(scram, List.of(seed("startup-message.bin"))).answers());
        assertEquals(List.of("N", "R"),
                ClientPipeline.run(scram, Splits.at(seed("ssl-request-then-startup.bin"), 8)).answers());
        assertEquals(List.of("N", "E"),
                ClientPipeline.run(scram, List.of(seed("ssl-request-then-startup.bin"))).answers(),
                "bytes behind an SSLRequest, before its answer, are refused");
        ClientPipeline.Outcome initial = ClientPipeline.run(scram, List.of(seed("scram-initial.bin")));
        assertEquals(List.of("R", "R"), initial.answers(), "AuthenticationSASL, then AuthenticationSASLContinue");
        ClientPipeline.Outcome wrongProof = ClientPipeline.run(scram, List.of(seed("scram-initial-then-final.bin")));
        assertEquals("28P01", wrongProof.errors().get(0).sqlState(), wrongProof.toString());
    }

    private static byte[] seed(String name) {
        return Corpus.load("login").get(name);
    }

    private static String reached(ClientPipeline.Outcome outcome) {
        if (outcome.answers().contains("R")) {
            return "an authentication request";
        }
        if (!outcome.errors().isEmpty()) {
            String state = outcome.errors().get(0).sqlState();
            return state.equals("08P01") || state.equals("0A000") ? "a protocol error" : "error " + state;
        }
        return outcome.answers().isEmpty() ? "nothing yet" : "answers " + outcome.answers();
    }

    @Provide
    Arbitrary<byte[]> inputs() {
        return Mutations.of(Corpus.seeds("login"), 4, 64);
    }

    @Provide
    Arbitrary<List<Integer>> readSizes() {
        return Mutations.readSizes();
    }

    @Provide
    Arbitrary<String> authTypes() {
        return Arbitraries.of(AUTH_TYPES);
    }
}
