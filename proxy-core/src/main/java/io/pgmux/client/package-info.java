/**
 * The client side: connections from applications to pgmux. A {@link io.pgmux.client.ClientConnection} logs the
 * client in, then forwards its messages to whichever server the pool lends it, and gives the server back at each
 * transaction boundary in transaction mode.
 */
package io.pgmux.client;
