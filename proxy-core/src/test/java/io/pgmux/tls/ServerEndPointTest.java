package io.pgmux.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 5929 section 4.1: the certificate's signature hash, with MD5 and SHA-1 raised to SHA-256. */
class ServerEndPointTest {
    @ParameterizedTest
    @CsvSource({"SHA256withRSA,SHA-256", "SHA384withECDSA,SHA-384", "SHA512withRSA,SHA-512",
        "SHA224withDSA,SHA-224", "SHA1withRSA,SHA-256", "MD5withRSA,SHA-256", "Ed25519,", "RSASSA-PSS,"})
    void theHashOfASignatureAlgorithm(String signature, String hash) {
        assertEquals(Optional.ofNullable(hash), ServerEndPoint.hashOf(signature));
    }
}
