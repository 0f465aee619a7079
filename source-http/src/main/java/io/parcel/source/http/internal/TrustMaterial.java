package io.parcel.source.http.internal;

import io.parcel.spi.UsageException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Which certificate authorities HTTPS trusts: the JDK's defaults, plus those of a PEM file when given. */
final class TrustMaterial {
    private TrustMaterial() {
    }

    /** The JDK's default TLS socket factory; its failure to load is a broken runtime, not a usage error. */
    static SSLSocketFactory defaultSocketFactory() {
        try {
            return SSLContext.getDefault().getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the Java runtime's default TLS context cannot be loaded: " + e.getMessage(), e);
        }
    }

    static SSLSocketFactory socketFactory(Optional<Path> caFile) throws UsageException {
        try {
            if (caFile.isEmpty()) {
                return SSLContext.getDefault().getSocketFactory();
            }
            // One key store holding the default authorities and the extra ones, so the JDK's own PKIX trust
            // manager (with its hostname checks) decides; no hand-written trust manager that could get it wrong.
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (X509Certificate authority : defaultAuthorities()) {
                store.setCertificateEntry("default-" + index++, authority);
            }
            index = 0;
            for (X509Certificate certificate : readPem(caFile.get())) {
                store.setCertificateEntry("ca-file-" + index++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new UsageException("cannot set up TLS trust" + caFile.map(path -> " with CA file " + path).orElse("")
                    + ": " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> defaultAuthorities() throws GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init((KeyStore) null);
        List<X509Certificate> authorities = new ArrayList<>();
        for (var manager : trust.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                authorities.addAll(List.of(x509.getAcceptedIssuers()));
            }
        }
        return authorities;
    }

    private static List<X509Certificate> readPem(Path file) throws UsageException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(file)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new UsageException("cannot read CA file " + file + ": " + e, e);
        } catch (GeneralSecurityException e) {
            throw new UsageException("CA file " + file + " does not hold PEM certificates: " + e.getMessage(), e);
        }
        List<X509Certificate> result = new ArrayList<>();
        for (Certificate certificate : certificates) {
            if (certificate instanceof X509Certificate x509) {
                result.add(x509);
            }
        }
        if (result.isEmpty()) {
            throw new UsageException("CA file " + file + " holds no certificates");
        }
        return result;
    }
}
