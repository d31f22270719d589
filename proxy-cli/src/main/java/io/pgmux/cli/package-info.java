/** The {@code pgmux} command line: run the proxy, check a configuration. */
package io.pgmux.cli;
