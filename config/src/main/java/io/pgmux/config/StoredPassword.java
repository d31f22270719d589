package io.pgmux.config;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A password as pgmux holds it: in plaintext, as PostgreSQL's md5 hash, or as a SCRAM-SHA-256 verifier; the three
 * forms {@code pg_authid.rolpassword} can take, told apart by the same rule PostgreSQL uses
 * ({@code get_password_type}): {@code md5} followed by exactly 32 lowercase hex digits is an md5 hash,
 * {@code SCRAM-SHA-256$...} is a verifier, anything else is plaintext. Unlike PostgreSQL, which treats a malformed
 * verifier as a plaintext password, a text that starts like a verifier but is malformed is refused: it is
 * almost always a verifier damaged while copying it, and taking it as a password would fail every login silently.
 *
 * <p>What each form allows: a plaintext password answers every method and logs in upstream with any method;
 * an md5 hash answers {@code md5} and {@code password} and logs in upstream only where the server uses md5;
 * a SCRAM verifier answers {@code scram-sha-256}, {@code md5} (PostgreSQL then runs SCRAM instead) and
 * {@code password}, and logs in upstream only through SCRAM passthrough (the ClientKey recovered from the
 * client's own proof).
 *
 * <p>{@link #toString()} never shows the secret: these values end up in records that get logged.
 */
public sealed interface StoredPassword
        permits StoredPassword.Plaintext, StoredPassword.Md5, StoredPassword.ScramSha256 {
    /** The form, for switches. */
    enum Kind { PLAINTEXT, MD5, SCRAM_SHA_256 }

    Kind kind();

    /**
     * Classifies and checks a configured password (after {@code ${VAR}} expansion).
     *
     * @throws IllegalArgumentException when it is empty or a malformed verifier; the message names the form that
     *     was expected and never repeats the text, which may be a password
     */
    static StoredPassword parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("a password must not be empty (PostgreSQL refuses empty passwords);"
                    + " leave the key out when there is no password");
        }
        if (Md5.looksLikeHash(text)) {
            return new Md5(text);
        }
        if (text.startsWith(ScramSha256.PREFIX)) {
            return ScramSha256.parse(text);
        }
        return new Plaintext(text);
    }

    /** A password in clear. */
    record Plaintext(String password) implements StoredPassword {
        public Plaintext {
            Objects.requireNonNull(password, "password");
        }

        @Override
        public Kind kind() {
            return Kind.PLAINTEXT;
        }

        @Override
        public String toString() {
            return "Plaintext[password hidden]";
        }
    }

    /**
     * PostgreSQL's md5 form: {@code "md5" + hex(md5(password || username))}, lowercase. It is bound to the user
     * name it was made for, and it is a credential in itself: the md5 challenge-response needs only the hash.
     */
    record Md5(String hash) implements StoredPassword {
        private static final Pattern FORM = Pattern.compile("md5[0-9a-f]{32}");

        public Md5 {
            if (!looksLikeHash(hash)) {
                throw new IllegalArgumentException("an md5 hash is \"md5\" followed by 32 lowercase hex digits");
            }
        }

        static boolean looksLikeHash(String text) {
            return FORM.matcher(text).matches();
        }

        /** The 32 hex digits after {@code md5}. */
        public String hexDigest() {
            return hash.substring(3);
        }

        @Override
        public Kind kind() {
            return Kind.MD5;
        }

        @Override
        public String toString() {
            return "Md5[hash hidden]";
        }
    }

    /**
     * A SCRAM-SHA-256 verifier as PostgreSQL stores it ({@code pg_authid.rolpassword}):
     * {@code SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>} (RFC 5802 section 3,
     * RFC 7677). It lets pgmux check a client's proof without the password, but not log in anywhere by itself.
     * Arrays are copied in and out.
     */
    record ScramSha256(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) implements StoredPassword {
        /** Every SCRAM-SHA-256 key is one SHA-256 output. */
        public static final int KEY_LENGTH = 32;
        static final String PREFIX = "SCRAM-SHA-256$";
        private static final String FORM =
                "expected SCRAM-SHA-256$<iterations>:<salt base64>$<StoredKey base64>:<ServerKey base64>";

        public ScramSha256 {
            if (iterations < 1) {
                throw new IllegalArgumentException("SCRAM iteration count must be positive, got " + iterations);
            }
            if (salt.length == 0) {
                throw new IllegalArgumentException("SCRAM salt must not be empty");
            }
            if (storedKey.length != KEY_LENGTH || serverKey.length != KEY_LENGTH) {
                throw new IllegalArgumentException("SCRAM keys must be " + KEY_LENGTH + " bytes");
            }
            salt = salt.clone();
            storedKey = storedKey.clone();
            serverKey = serverKey.clone();
        }

        /**
         * Parses PostgreSQL's text form.
         *
         * @throws IllegalArgumentException when it is malformed; the message never repeats the text
         */
        public static ScramSha256 parse(String text) {
            if (!text.startsWith(PREFIX)) {
                throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier: " + FORM);
            }
            String[] parts = text.substring(PREFIX.length()).split("\\$", -1);
            String[] iterationsAndSalt = parts[0].split(":", -1);
            String[] keys = parts.length == 2 ? parts[1].split(":", -1) : new String[0];
            if (parts.length != 2 || iterationsAndSalt.length != 2 || keys.length != 2) {
                throw new IllegalArgumentException("malformed SCRAM-SHA-256 verifier: " + FORM);
            }
            int iterations = parseIterations(iterationsAndSalt[0]);
            byte[] salt = decode(iterationsAndSalt[1], "salt");
            if (salt.length == 0) {
                throw new IllegalArgumentException("malformed SCRAM-SHA-256 verifier: empty salt");
            }
            byte[] storedKey = decode(keys[0], "StoredKey");
            byte[] serverKey = decode(keys[1], "ServerKey");
            if (storedKey.length != KEY_LENGTH || serverKey.length != KEY_LENGTH) {
                throw new IllegalArgumentException("malformed SCRAM-SHA-256 verifier: StoredKey and ServerKey must"
                        + " be " + KEY_LENGTH + " bytes each");
            }
            return new ScramSha256(iterations, salt, storedKey, serverKey);
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] storedKey() {
            return storedKey.clone();
        }

        @Override
        public byte[] serverKey() {
            return serverKey.clone();
        }

        @Override
        public Kind kind() {
            return Kind.SCRAM_SHA_256;
        }

        /** PostgreSQL's text form, which {@link #parse} reads back. */
        public String text() {
            Base64.Encoder b64 = Base64.getEncoder();
            return PREFIX + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
                    + b64.encodeToString(serverKey);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ScramSha256 other && iterations == other.iterations
                    && Arrays.equals(salt, other.salt) && Arrays.equals(storedKey, other.storedKey)
                    && Arrays.equals(serverKey, other.serverKey);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(storedKey) + iterations;
        }

        @Override
        public String toString() {
            return "ScramSha256[iterations=" + iterations + ", keys hidden]";
        }

        private static int parseIterations(String value) {
            if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("malformed SCRAM-SHA-256 verifier: iteration count is not a"
                        + " number");
            }
            long iterations = Long.parseLong(value);
            if (iterations < 1 || iterations > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("malformed SCRAM-SHA-256 verifier: iteration count out of range");
            }
            return (int) iterations;
        }

        private static byte[] decode(String value, String what) {
            try {
                return Base64.getDecoder().decode(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed SCRAM-SHA-256 verifier: " + what
                        + " is not valid base64");
            }
        }
    }
}
