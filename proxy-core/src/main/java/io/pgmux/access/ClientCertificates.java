package io.pgmux.access;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** Reads the user a client certificate names: its subject's Common Name, as PostgreSQL's cert method does. */
final class ClientCertificates {
    private ClientCertificates() {
    }

    /**
     * The CN of the certificate's subject; empty when it has none or several (PostgreSQL takes a single CN). The
     * subject is parsed as an RFC 4514 distinguished name, so escaped characters come out unescaped.
     */
    static Optional<String> commonName(X509Certificate certificate) {
        try {
            LdapName subject = new LdapName(certificate.getSubjectX500Principal().getName());
            List<String> names = subject.getRdns().stream()
                    .filter(rdn -> rdn.getType().equalsIgnoreCase("CN"))
                    .map(Rdn::getValue)
                    .filter(String.class::isInstance)
                    .map(String.class::cast)
                    .toList();
            return names.size() == 1 ? Optional.of(names.get(0)) : Optional.empty();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }

    /** Whether the certificate's CN is exactly {@code user} (case matters, as for role names). */
    static boolean namesUser(X509Certificate certificate, String user) {
        return commonName(certificate).filter(user::equals).isPresent();
    }
}
