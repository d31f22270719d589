package io.pgmux.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Why a file pgmux reads (the configuration file, {@code hba_file}, TLS certificates and keys) could not be read,
 * in the same words wherever it is reported: at start, by {@code check-config} and by RELOAD. The JDK's exceptions
 * carry the path in their message ({@code /etc/pgmux/pg_hba.conf: Is a directory}), which every pgmux message names
 * already, so the reason is taken without it.
 */
public final class FileErrors {
    private FileErrors() {
    }

    /** {@code cannot read <file>: <reason>}, e.g. {@code cannot read /etc/pgmux/pg_hba.conf: no such file}. */
    public static String cannotRead(Path file, IOException error) {
        return "cannot read " + file + ": " + reason(file, error);
    }

    /**
     * @param file  the file whose reading failed
     * @param error what reading it as text threw; the files pgmux reads as text are UTF-8
     * @return {@code no such file}, {@code permission denied}, {@code is a directory}, {@code not valid UTF-8}, else
     *         the operating system's reason (e.g. {@code Too many levels of symbolic links}) or, when it gives none,
     *         the exception's simple class name
     */
    public static String reason(Path file, IOException error) {
        if (error instanceof NoSuchFileException) {
            return "no such file";
        }
        if (error instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (error instanceof CharacterCodingException) {
            return "not valid UTF-8";
        }
        // A directory opens, and reading it fails with a plain IOException whose words vary by platform.
        if (Files.isDirectory(file)) {
            return "is a directory";
        }
        if (error instanceof FileSystemException) {
            String reason = ((FileSystemException) error).getReason();
            return reason == null ? error.getClass().getSimpleName() : reason;
        }
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }
}
