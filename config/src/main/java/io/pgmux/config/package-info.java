/**
 * pgmux's configuration: immutable records for every setting, and {@link io.pgmux.config.ConfigLoader}, which
 * reads the YAML file into them. Loading is strict on purpose: a pooler that silently ignores a misspelt timeout
 * fails in production, not at start-up, so every unknown key, bad value and dangling reference is reported with
 * its key path and line, all at once, in one {@link io.pgmux.config.ConfigException}.
 * Files the configuration names are read while loading: {@code hba_file} is parsed, TLS certificates and keys are
 * checked to be readable PEM of the right kind. Nothing here does networking, and no host name is ever resolved.
 */
package io.pgmux.config;
