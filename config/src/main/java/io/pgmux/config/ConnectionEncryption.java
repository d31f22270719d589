package io.pgmux.config;

/** Whether a client's connection to pgmux is encrypted, as the access rules and PostgreSQL's messages see it. */
public enum ConnectionEncryption {
    NONE,
    TLS;

    /** PostgreSQL's wording at the end of its pg_hba.conf messages: {@code no encryption} or {@code SSL encryption}. */
    public String postgresWording() {
        return this == TLS ? "SSL encryption" : "no encryption";
    }
}
