/**
 * The arithmetic of PostgreSQL authentication: SCRAM-SHA-256 (client side for logging in upstream, server side
 * for pgmux's own clients), SCRAM passthrough (the ClientKey recovered from a client's proof logs in upstream
 * instead of a password), the MD5 challenge-response from a password or from a stored md5 hash, cleartext
 * password checks against every stored form, and the choice of exchange for a method and a stored password.
 *
 * <p>Everything here works on {@code byte[]} and {@code String} message bodies as they appear inside
 * AuthenticationSASL* / SASLResponse / PasswordMessage; framing those messages is the protocol layer's job. No
 * class here does I/O or depends on Netty, so each can be tested against RFC vectors directly. Key derivation
 * (PBKDF2) is marked where it happens: it must not run on an event loop.
 */
package io.pgmux.auth;
