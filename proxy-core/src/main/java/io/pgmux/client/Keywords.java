package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A fixed set of lower-case ASCII words searched for anywhere in SQL text, ASCII case-insensitively. This scan
 * runs on every Query and Parse in transaction mode, so it is one table lookup per byte: the words are compiled
 * into a deterministic automaton (Aho-Corasick), and the bytes are read with {@link ByteBuf#forEachByte}, which
 * walks a direct buffer in a tight loop (reading with {@code getByte} pays a bounds check and an unwrap per
 * byte).
 */
final class Keywords {
    private static final int ALPHABET = 256;

    /** next[state * 256 + byte]: the automaton's move; state 0 is the start. */
    private final int[] next;
    /** Whether reaching a state means some word has just ended. */
    private final boolean[] accepting;

    Keywords(String... words) {
        List<int[]> trie = new ArrayList<>();
        List<Boolean> ends = new ArrayList<>();
        trie.add(newRow());
        ends.add(false);
        for (String word : words) {
            int state = 0;
            for (byte b : word.getBytes(StandardCharsets.US_ASCII)) {
                int c = b & 0xff;
                if (trie.get(state)[c] < 0) {
                    trie.get(state)[c] = trie.size();
                    trie.add(newRow());
                    ends.add(false);
                }
                state = trie.get(state)[c];
            }
            ends.set(state, true);
        }
        int states = trie.size();
        next = new int[states * ALPHABET];
        accepting = new boolean[states];
        int[] fail = new int[states];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        // Breadth first, so a state's fallback is complete before the states below it need it.
        for (int c = 0; c < ALPHABET; c++) {
            int child = trie.get(0)[c];
            next[c] = child < 0 ? 0 : child;
            if (child > 0) {
                queue.add(child);
            }
        }
        accepting[0] = ends.get(0);
        while (!queue.isEmpty()) {
            int state = queue.poll();
            accepting[state] = ends.get(state) || accepting[fail[state]];
            for (int c = 0; c < ALPHABET; c++) {
                int child = trie.get(state)[c];
                if (child < 0) {
                    next[state * ALPHABET + c] = next[fail[state] * ALPHABET + c];
                } else {
                    fail[child] = next[fail[state] * ALPHABET + c];
                    next[state * ALPHABET + c] = child;
                    queue.add(child);
                }
            }
        }
        // Upper-case ASCII letters move as their lower-case forms.
        for (int state = 0; state < states; state++) {
            for (int c = 'A'; c <= 'Z'; c++) {
                next[state * ALPHABET + c] = next[state * ALPHABET + c + 32];
            }
        }
    }

    private static int[] newRow() {
        int[] row = new int[ALPHABET];
        java.util.Arrays.fill(row, -1);
        return row;
    }

    /** Whether any of the words occurs in {@code buf} at {@code [start, end)}. */
    boolean foundIn(ByteBuf buf, int start, int end) {
        return start < end && buf.forEachByte(start, end - start, new Scan()) >= 0;
    }

    /** One search; stops at the first byte that completes a word. */
    private final class Scan implements ByteProcessor {
        private int state;

        @Override
        public boolean process(byte value) {
            state = next[state * ALPHABET + (value & 0xff)];
            return !accepting[state];
        }
    }
}
