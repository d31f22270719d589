/** Messages a client sends that pgmux decodes or builds (it forwards all others as bytes). */
package io.pgmux.protocol.frontend;
