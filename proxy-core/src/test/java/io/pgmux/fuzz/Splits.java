package io.pgmux.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts an input into the reads a socket might deliver it in. A peer's bytes arrive in whatever pieces TCP makes
 * of them, so a decoder must give the same answer for every way of cutting the same bytes.
 */
final class Splits {
    private Splits() {
    }

    /**
     * Cuts {@code input} into pieces of the given sizes, in turn and over again; sizes are taken modulo what is
     * left, plus one, so any list of integers is a valid cut and the pieces always cover the whole input.
     */
    static List<byte[]> cut(byte[] input, List<Integer> sizes) {
        List<byte[]> pieces = new ArrayList<>();
        int offset = 0;
        int turn = 0;
        while (offset < input.length) {
            int left = input.length - offset;
            int size = sizes.isEmpty() ? left : 1 + Math.floorMod(sizes.get(turn++ % sizes.size()), left);
            pieces.add(Arrays.copyOfRange(input, offset, offset + size));
            offset += size;
        }
        return pieces;
    }

    /** The input cut in two at {@code at}: every boundary of a seed gets its own run. */
    static List<byte[]> at(byte[] input, int at) {
        return List.of(Arrays.copyOfRange(input, 0, at), Arrays.copyOfRange(input, at, input.length));
    }
}
