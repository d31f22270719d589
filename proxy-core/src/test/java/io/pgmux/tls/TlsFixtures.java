package io.pgmux.tls;

import io.pgmux.config.ClientTlsConfig;
import io.pgmux.config.ServerTlsConfig;
import io.pgmux.config.SslMode;
import io.pgmux.config.TlsProtocol;
import io.pgmux.testing.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Settings records for TLS tests, over certificates made by {@link TestCertificates}. */
final class TlsFixtures {
    static final Set<TlsProtocol> BOTH = Set.of(TlsProtocol.TLS_1_2, TlsProtocol.TLS_1_3);

    private TlsFixtures() {
    }

    static ClientTlsConfig clientSide(TestCertificates certs, SslMode mode, Optional<Path> ca) {
        return new ClientTlsConfig(mode, Optional.of(certs.server().cert()), Optional.of(certs.server().key()), ca,
                BOTH, List.of());
    }

    static ServerTlsConfig serverSide(SslMode mode, Optional<Path> ca) {
        return new ServerTlsConfig(mode, ca, Optional.empty(), Optional.empty(), true, BOTH, List.of());
    }
}
