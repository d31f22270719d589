package io.pgmux.admin;

/**
 * What the console echoes of text a user sent (a statement, a name, a value) in an error or a log line: all of it
 * up to {@link #MAX_CHARS} characters, else its first {@link #MAX_CHARS} followed by how much was left out. One rule
 * for every echo, so that a megabyte sent to the console is answered and logged in a line, and what is shown never
 * ends inside a surrogate pair.
 */
public final class Excerpt {
    /** The most characters of a user's text an error or a log line repeats. */
    public static final int MAX_CHARS = 80;

    private Excerpt() {
    }

    /** {@code text} whole when short enough, else its beginning and "... (N characters)", N its full length. */
    public static String of(String text) {
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        int end = MAX_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "... (" + text.length() + " characters)";
    }
}
