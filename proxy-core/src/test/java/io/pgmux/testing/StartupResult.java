package io.pgmux.testing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link RawPgClient#login} saw before the first ReadyForQuery.
 *
 * @param params     ParameterStatus values (server_version, client_encoding, ...), in the order they came
 * @param pid        BackendKeyData process id (0 if none was sent)
 * @param secret     BackendKeyData secret key
 * @param authMethod the authentication request the server made: 0 none (trust), 3 cleartext, 5 MD5, 10 SASL
 */
public record StartupResult(Map<String, String> params, int pid, int secret, int authMethod) {
    public StartupResult {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
}
