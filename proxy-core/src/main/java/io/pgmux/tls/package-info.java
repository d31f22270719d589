/**
 * TLS on both legs, built from the {@code client_tls_*} and {@code server_tls_*} settings:
 * {@link io.pgmux.tls.ClientTls} makes the SslHandler for a client that sent SSLRequest,
 * {@link io.pgmux.tls.UpstreamTls} the one for a server connection, and {@link io.pgmux.tls.ServerTlsNegotiation}
 * says what libpq's sslmode does at each step of a server login. Netty's OpenSSL engine is used when
 * netty-tcnative is on the class path, the JDK's otherwise.
 */
package io.pgmux.tls;
