package io.pgmux.config;

import java.util.Locale;
import java.util.Objects;

/**
 * Which of Netty's socket transports the event loops use ({@code transport}). {@link #AUTO} picks the native one
 * the platform offers (epoll on Linux), else Java NIO; naming one that the platform lacks is refused at start.
 */
public enum IoTransport {
    AUTO,
    EPOLL,
    IO_URING,
    NIO;

    static final String EXPECTED = "auto, epoll, io_uring or nio";

    /** Parses the YAML spelling ({@code auto}, {@code epoll}, {@code io_uring}, {@code nio}), ignoring case. */
    public static IoTransport parse(String text) {
        Objects.requireNonNull(text, "text");
        for (IoTransport transport : values()) {
            if (transport.configName().equalsIgnoreCase(text)) {
                return transport;
            }
        }
        throw new IllegalArgumentException("unknown transport \"" + text + "\"; expected " + EXPECTED);
    }

    /** The spelling used in the YAML file, in logs and in the admin console. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
