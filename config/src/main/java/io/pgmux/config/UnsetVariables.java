package io.pgmux.config;

/**
 * What loading does with a {@code ${VAR}} whose variable is not set (and that has no {@code :-default}).
 */
public enum UnsetVariables {
    /** A problem at the value's key and line: what running pgmux needs, since every value it reads is used. */
    REFUSE,
    /**
     * The value is left out, unreported: its default applies, and the checks that compare it with other settings
     * are skipped, as for any value that could not be read. For a command that uses a few settings of the file, such as {@code status}, run where the passwords in the
     * other settings are not in the environment.
     */
    LEAVE_OUT
}
