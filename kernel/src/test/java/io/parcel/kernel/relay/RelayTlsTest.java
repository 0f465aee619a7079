package io.parcel.kernel.relay;

import io.parcel.testsupport.TestPki;
import io.parcel.spi.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayTlsTest {
    @TempDir
    Path directory;

    @Test
    void loadsAnEcChainAndPkcs8Key() throws Exception {
        TestPki.Issued issued = TestPki.authority("Relay Test CA").issue("relay.test");
        Path cert = issued.writeChain(directory.resolve("cert.pem"));
        Path key = issued.writeKey(directory.resolve("key.pem"));
        assertNotNull(RelayTls.serverContext(cert, key));
    }

    @Test
    void loadsAnRsaKey() throws Exception {
        TestPki.Issued issued = TestPki.selfSignedRsa("relay.test");
        assertNotNull(RelayTls.serverContext(issued.writeChain(directory.resolve("cert.pem")),
                issued.writeKey(directory.resolve("key.pem"))));
    }

    @Test
    void refusesAKeyOfAnotherCertificate() throws Exception {
        TestPki authority = TestPki.authority("Relay Test CA");
        Path cert = authority.issue("relay.test").writeChain(directory.resolve("cert.pem"));
        Path otherKey = authority.issue("other.test").writeKey(directory.resolve("key.pem"));
        UsageException e = assertThrows(UsageException.class, () -> RelayTls.serverContext(cert, otherKey));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
    }

    @Test
    void explainsUnusableFiles() throws Exception {
        TestPki.Issued issued = TestPki.authority("Relay Test CA").issue("relay.test");
        Path cert = issued.writeChain(directory.resolve("cert.pem"));
        Path missing = directory.resolve("missing.pem");
        assertTrue(assertThrows(UsageException.class, () -> RelayTls.serverContext(missing, cert))
                .getMessage().contains("cannot read"));
        Path pkcs1 = Files.writeString(directory.resolve("rsa.pem"),
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertTrue(assertThrows(UsageException.class, () -> RelayTls.serverContext(cert, pkcs1))
                .getMessage().contains("PKCS#8"));
        Path empty = Files.writeString(directory.resolve("empty.pem"), "nothing here\n");
        assertTrue(assertThrows(UsageException.class, () -> RelayTls.serverContext(empty, cert))
                .getMessage().contains("no '-----BEGIN CERTIFICATE-----' block"));
    }

    @Test
    void parsesPinsAsOpensslPrintsThem() throws Exception {
        byte[] expected = HexFormat.of().parseHex("ab".repeat(32));
        assertArrayEquals(expected, RelayTls.parsePin("AB:".repeat(31) + "AB"));
        assertArrayEquals(expected, RelayTls.parsePin("sha256:" + "ab".repeat(32)));
        assertThrows(UsageException.class, () -> RelayTls.parsePin("ab".repeat(31)));
        assertThrows(UsageException.class, () -> RelayTls.parsePin("zz".repeat(32)));
    }
}
