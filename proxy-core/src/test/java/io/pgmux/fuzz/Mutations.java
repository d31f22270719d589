package io.pgmux.fuzz;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Inputs for the fuzz targets: seeds from the corpus changed the way a broken or hostile peer changes a
 * message (a byte flipped, a length word made huge, negative or small, a piece cut out or repeated, bytes
 * appended), and raw bytes. jqwik shrinks a failing input towards a shorter one with fewer changes.
 */
public final class Mutations {
    /** Lengths that sit on the protocol's bounds: 0, 3, 4, 5, 8, 1024, 1025, 10000, 65535, 65536, 2^30, max, -1. */
    private static final int[] INTERESTING_LENGTHS = {0, 3, 4, 5, 7, 8, 9, 16, 1023, 1024, 1025, 1029, 9_999,
            10_000, 10_001, 65_535, 65_536, 65_540, 1 << 20, 1 << 30, Integer.MAX_VALUE, -1, Integer.MIN_VALUE};

    private Mutations() {
    }

    /** A seed with up to {@code maxEdits} edits, or bytes from nowhere (one input in eight). */
    public static Arbitrary<byte[]> of(List<byte[]> seeds, int maxEdits, int maxRawLength) {
        Arbitrary<byte[]> mutated = Combinators.combine(
                Arbitraries.of(seeds),
                edit().list().ofMaxSize(maxEdits))
                .as((seed, edits) -> {
                    byte[] result = seed;
                    for (Edit each : edits) {
                        result = each.apply(result);
                    }
                    return result;
                });
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(maxRawLength);
        Arbitrary<byte[]> seedsAsTheyAre = Arbitraries.of(seeds);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, mutated),
                net.jqwik.api.Tuple.of(1, raw),
                net.jqwik.api.Tuple.of(1, seedsAsTheyAre));
    }

    /** Arbitrary read sizes; an empty list means one read. */
    public static Arbitrary<List<Integer>> readSizes() {
        return Arbitraries.integers().between(0, 1 << 16).list().ofMaxSize(12);
    }

    private static Arbitrary<Edit> edit() {
        Arbitrary<Integer> where = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        return Arbitraries.oneOf(
                Combinators.combine(where, Arbitraries.bytes()).as(Edit.SetByte::new),
                Combinators.combine(where, Arbitraries.integers().between(0, 7)).as(Edit.FlipBit::new),
                Combinators.combine(where, Arbitraries.of(box(INTERESTING_LENGTHS))).as(Edit.SetInt::new),
                Combinators.combine(where, Arbitraries.integers().between(1, 64)).as(Edit.Delete::new),
                Combinators.combine(where, Arbitraries.integers().between(1, 64)).as(Edit.Repeat::new),
                Combinators.combine(where, Arbitraries.bytes().array(byte[].class).ofMaxSize(16)).as(Edit.Insert::new),
                where.map(Edit.Truncate::new));
    }

    private static Integer[] box(int[] values) {
        Integer[] boxed = new Integer[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }

    /** One change to an input; positions are taken modulo the input's length. */
    sealed interface Edit {
        byte[] apply(byte[] input);

        record SetByte(int at, byte value) implements Edit {
            public byte[] apply(byte[] input) {
                if (input.length == 0) {
                    return input;
                }
                byte[] copy = input.clone();
                copy[Math.floorMod(at, copy.length)] = value;
                return copy;
            }
        }

        record FlipBit(int at, int bit) implements Edit {
            public byte[] apply(byte[] input) {
                if (input.length == 0) {
                    return input;
                }
                byte[] copy = input.clone();
                copy[Math.floorMod(at, copy.length)] ^= (byte) (1 << bit);
                return copy;
            }
        }

        /** An int32 written over four bytes: how a length word or a code goes wrong. */
        record SetInt(int at, int value) implements Edit {
            public byte[] apply(byte[] input) {
                if (input.length < 4) {
                    return input;
                }
                byte[] copy = input.clone();
                ByteBuffer.wrap(copy).putInt(Math.floorMod(at, copy.length - 3), value);
                return copy;
            }
        }

        record Delete(int at, int count) implements Edit {
            public byte[] apply(byte[] input) {
                if (input.length == 0) {
                    return input;
                }
                int from = Math.floorMod(at, input.length);
                int to = Math.min(input.length, from + count);
                byte[] result = new byte[input.length - (to - from)];
                System.arraycopy(input, 0, result, 0, from);
                System.arraycopy(input, to, result, from, input.length - to);
                return result;
            }
        }

        record Repeat(int at, int count) implements Edit {
            public byte[] apply(byte[] input) {
                if (input.length == 0) {
                    return input;
                }
                int from = Math.floorMod(at, input.length);
                int to = Math.min(input.length, from + count);
                byte[] result = new byte[input.length + (to - from)];
                System.arraycopy(input, 0, result, 0, to);
                System.arraycopy(input, from, result, to, input.length - from);
                return result;
            }
        }

        record Insert(int at, byte[] bytes) implements Edit {
            public byte[] apply(byte[] input) {
                int where = input.length == 0 ? 0 : Math.floorMod(at, input.length + 1);
                byte[] result = new byte[input.length + bytes.length];
                System.arraycopy(input, 0, result, 0, where);
                System.arraycopy(bytes, 0, result, where, bytes.length);
                System.arraycopy(input, where, result, where + bytes.length, input.length - where);
                return result;
            }

            @Override
            public String toString() {
                return "Insert[at=" + at + ", bytes=" + java.util.Arrays.toString(bytes) + "]";
            }
        }

        record Truncate(int at) implements Edit {
            public byte[] apply(byte[] input) {
                return input.length == 0 ? input : java.util.Arrays.copyOf(input, Math.floorMod(at, input.length));
            }
        }
    }
}
