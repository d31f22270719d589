/**
 * The arithmetic of PostgreSQL authentication: SCRAM-SHA-256 (client side for logging in upstream, server side
 * for pgmux's own clients), the MD5 challenge-response and cleartext password comparison.
 *
 * <p>Everything here works on {@code byte[]} and {@code String} message bodies as they appear inside
 * AuthenticationSASL* / SASLResponse / PasswordMessage; framing those messages is the protocol layer's job. No
 * class here does I/O or depends on Netty, so each can be tested against RFC vectors directly.
 */
package io.pgmux.auth;
