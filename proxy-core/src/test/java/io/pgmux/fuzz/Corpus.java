package io.pgmux.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The checked-in seed inputs of a fuzz target, from {@code src/test/resources/fuzz/<target>/}: one file per
 * input, named for what it is (a valid login, an SSLRequest with bytes behind it, a truncated SASL message...).
 * Each seed is replayed as it is and split at every boundary, and the generators mutate seeds, so the fuzzer
 * starts from inputs that reach deep into the protocol instead of from bytes a decoder refuses at once.
 */
public final class Corpus {
    private Corpus() {
    }

    /** The seeds of {@code target}, by file name, in name order. */
    public static Map<String, byte[]> load(String target) {
        URL dir = Corpus.class.getClassLoader().getResource("fuzz/" + target);
        if (dir == null) {
            throw new IllegalStateException("no seed corpus fuzz/" + target + " on the test class path");
        }
        Map<String, byte[]> seeds = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            for (Path each : (Iterable<Path>) files.sorted()::iterator) {
                if (Files.isRegularFile(each) && !each.getFileName().toString().equals("README.md")) {
                    seeds.put(each.getFileName().toString(), Files.readAllBytes(each));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (seeds.isEmpty()) {
            throw new IllegalStateException("seed corpus fuzz/" + target + " is empty");
        }
        return seeds;
    }

    /** The seeds alone, for generators. */
    public static List<byte[]> seeds(String target) {
        return List.copyOf(load(target).values());
    }
}
